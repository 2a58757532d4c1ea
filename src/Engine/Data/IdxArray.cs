using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Data;

/// <summary>The element types of the IDX format (LeCun's MNIST files): the third byte of the magic number.</summary>
public enum IdxElementType : byte
{
    UnsignedByte = 0x08,
    SignedByte = 0x09,
    Int16 = 0x0B,
    Int32 = 0x0C,
    Float32 = 0x0D,
    Float64 = 0x0E,
}

/// <summary>The content of an IDX file: element type, shape, and the data bytes as stored (big-endian).</summary>
public sealed class IdxArray
{
    private readonly byte[] data;

    internal IdxArray(IdxElementType elementType, int[] shape, byte[] data)
    {
        ElementType = elementType;
        Shape = shape;
        this.data = data;
    }

    public IdxElementType ElementType { get; }

    public int[] Shape { get; }

    public int Count => data.Length / ElementSize(ElementType);

    /// <summary>The data as stored in the file: Count elements, big-endian, row-major.</summary>
    public ReadOnlySpan<byte> Data => data;

    public static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UnsignedByte or IdxElementType.SignedByte => 1,
        IdxElementType.Int16 => 2,
        IdxElementType.Int32 or IdxElementType.Float32 => 4,
        IdxElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"IDX: unknown element type 0x{(byte)type:X2}"),
    };

    /// <summary>The array as a tensor of <paramref name="dtype"/>: integers convert exactly to Int32/Int64 or to
    /// floating point; floating-point elements only to Float32/Float64. Floating results are divided by
    /// <paramref name="divisor"/> (255 maps image bytes to [0, 1] as torchvision's ToTensor does).</summary>
    public Tensor ToTensor(DType dtype, double divisor = 1)
    {
        var integral = ElementType is not (IdxElementType.Float32 or IdxElementType.Float64);
        if (dtype == DType.Bool || (dtype.IsInteger() && !integral))
            throw new ArgumentException($"IdxArray.ToTensor: cannot convert {ElementType} elements to {dtype}; expected Float32 or Float64{(integral ? ", Int32 or Int64" : "")}");
        if (dtype.IsInteger() && divisor != 1)
            throw new ArgumentException($"IdxArray.ToTensor: a divisor ({divisor}) needs a floating-point dtype; got {dtype}");
        if (!(divisor != 0 && double.IsFinite(divisor)))
            throw new ArgumentException($"IdxArray.ToTensor: the divisor must be finite and non-zero; got {divisor}");

        if (ElementType == IdxElementType.UnsignedByte && dtype == DType.Float32)
        {
            var images = GC.AllocateUninitializedArray<float>(data.Length);
            BytesToSingles(data, images, (float)divisor);
            return Tensor.Wrap(images, Shape);
        }
        if (dtype.IsInteger())
        {
            var values = IntegerValues();
            return dtype == DType.Int64 ? Tensor.Wrap(values, Shape) : Tensor.Wrap(Array.ConvertAll(values, v => (int)v), Shape);
        }
        var doubles = FloatingValues(divisor);
        return dtype == DType.Float64 ? Tensor.Wrap(doubles, Shape) : Tensor.Wrap(Array.ConvertAll(doubles, v => (float)v), Shape);
    }

    /// <summary>dst[i] = src[i] / divisor in float32 (the same rounding as a scalar division), 32 bytes a step.</summary>
    internal static void BytesToSingles(ReadOnlySpan<byte> src, Span<float> dst, float divisor)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var s = ref MemoryMarshal.GetReference(src);
            ref var d = ref MemoryMarshal.GetReference(dst);
            var div = Vector256.Create(divisor);
            for (; i <= src.Length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                var (w0, w1) = Vector256.Widen(lo);
                var (w2, w3) = Vector256.Widen(hi);
                (Vector256.ConvertToSingle(w0) / div).StoreUnsafe(ref d, (nuint)i);
                (Vector256.ConvertToSingle(w1) / div).StoreUnsafe(ref d, (nuint)(i + 8));
                (Vector256.ConvertToSingle(w2) / div).StoreUnsafe(ref d, (nuint)(i + 16));
                (Vector256.ConvertToSingle(w3) / div).StoreUnsafe(ref d, (nuint)(i + 24));
            }
        }
        for (; i < src.Length; i++) dst[i] = src[i] / divisor;
    }

    private long[] IntegerValues()
    {
        var values = new long[Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ElementType switch
            {
                IdxElementType.UnsignedByte => data[i],
                IdxElementType.SignedByte => (sbyte)data[i],
                IdxElementType.Int16 => BinaryPrimitives.ReadInt16BigEndian(data.AsSpan(2 * i)),
                _ => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4 * i)),
            };
        }
        return values;
    }

    private double[] FloatingValues(double divisor)
    {
        var values = ElementType switch
        {
            IdxElementType.Float32 => Enumerable.Range(0, Count).Select(i => (double)BinaryPrimitives.ReadSingleBigEndian(data.AsSpan(4 * i))).ToArray(),
            IdxElementType.Float64 => Enumerable.Range(0, Count).Select(i => BinaryPrimitives.ReadDoubleBigEndian(data.AsSpan(8 * i))).ToArray(),
            _ => Array.ConvertAll(IntegerValues(), v => (double)v),
        };
        if (divisor != 1)
            for (var i = 0; i < values.Length; i++) values[i] /= divisor;
        return values;
    }
}
