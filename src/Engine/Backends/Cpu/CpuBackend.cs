using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Backends.Cpu;

/// <summary>The CPU backend: managed arrays, TensorPrimitives on contiguous rows, strided fallbacks, and a
/// multithreaded loop above a work threshold. Kernel families live in the partial files beside this one.</summary>
public sealed partial class CpuBackend : IBackend
{
    public static readonly CpuBackend Instance = new();

    private CpuBackend()
    {
    }

    public Device Device => Device.Cpu;

    public Storage Allocate(DType dtype, int length, bool zero = true) => CpuStorage.Allocate(dtype, length, zero);

    public Storage FromHost(Array data, DType dtype) => new CpuStorage(data, dtype);

    public void ToHost(Tensor src, Array dst)
    {
        Copy(src, new Tensor(new CpuStorage(dst, src.DType), src.ShapeArray.ToArray()));
    }

    public void Synchronize()
    {
    }

    // ---- typed access ------------------------------------------------------------------------------------------

    /// <summary>The tensor's storage as T[] (Bool storage is read as byte).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Span<T> Buffer<T>(Tensor t)
        where T : unmanaged
    {
        if (t.IsDisposed) t.ThrowIfDisposed();
        var data = ((CpuStorage)t.Storage).Data;
        if (typeof(T) == typeof(byte) && data is bool[] b) return MemoryMarshal.Cast<bool, T>(b.AsSpan());
        return Unsafe.As<T[]>(data).AsSpan();
    }

    /// <summary>The elements of a contiguous tensor as a span.</summary>
    internal static Span<T> Dense<T>(Tensor t)
        where T : unmanaged
        => Buffer<T>(t).Slice(t.Offset, t.Numel);

    internal static bool IsDense(Tensor t) => t.IsContiguous;

    /// <summary>A contiguous version of t (t itself when it already is).</summary>
    internal Tensor Densify(Tensor t)
    {
        if (t.IsContiguous) return t;
        var copy = Tensor.Empty(t.ShapeArray.ToArray(), t.DType, Device.Cpu);
        Copy(t, copy);
        return copy;
    }

    internal static void ThrowUnsupported(string op, DType dtype)
        => throw new ArgumentException($"{op}: dtype {dtype} is not supported on the CPU backend");

    // ---- fill, arange, copy ------------------------------------------------------------------------------------

    public void Fill(Tensor dst, double value)
    {
        switch (dst.DType)
        {
            case DType.Float32: FillImpl(dst, (float)value); break;
            case DType.Float64: FillImpl(dst, value); break;
            case DType.Int32: FillImpl(dst, checked((int)value)); break;
            case DType.Int64: FillImpl(dst, checked((long)value)); break;
            case DType.Bool: FillImpl(dst, value != 0 ? (byte)1 : (byte)0); break;
        }
    }

    private static void FillImpl<T>(Tensor dst, T value)
        where T : unmanaged
    {
        if (dst.Numel == 0) return;
        var buf = Buffer<T>(dst);
        if (dst.IsContiguous)
        {
            buf.Slice(dst.Offset, dst.Numel).Fill(value);
            return;
        }
        var layout = StridedLayout.Of(dst);
        Span<int> off = stackalloc int[1];
        var s = layout.InnerStride(0);
        for (var r = 0; r < layout.RowCount; r++)
        {
            layout.RowOffsets(r, off);
            if (s == 1) buf.Slice(off[0], layout.RowLength).Fill(value);
            else for (var i = 0; i < layout.RowLength; i++) buf[off[0] + i * s] = value;
        }
    }

    public void Arange(Tensor y, double start, double step)
    {
        switch (y.DType)
        {
            case DType.Float32: ArangeImpl<float>(y, start, step); break;
            case DType.Float64: ArangeImpl<double>(y, start, step); break;
            case DType.Int32: ArangeImpl<int>(y, start, step); break;
            case DType.Int64: ArangeImpl<long>(y, start, step); break;
            default: ThrowUnsupported("Arange", y.DType); break;
        }
    }

    private static void ArangeImpl<T>(Tensor y, double start, double step)
        where T : unmanaged, INumberBase<T>
    {
        var buf = Buffer<T>(y);
        var s = y.StrideArray.Length == 0 ? 1 : y.StrideArray[0];
        for (var i = 0; i < y.Numel; i++) buf[y.Offset + i * s] = T.CreateTruncating(start + i * step);
    }

    public void Copy(Tensor src, Tensor dst)
    {
        if (src.Numel == 0) return;
        if (src.DType == dst.DType)
        {
            switch (src.DType)
            {
                case DType.Float32: CopySame<float>(src, dst); break;
                case DType.Float64: CopySame<double>(src, dst); break;
                case DType.Int32: CopySame<int>(src, dst); break;
                case DType.Int64: CopySame<long>(src, dst); break;
                case DType.Bool: CopySame<byte>(src, dst); break;
            }
            return;
        }
        switch (src.DType)
        {
            case DType.Float32: CopyFrom<float>(src, dst); break;
            case DType.Float64: CopyFrom<double>(src, dst); break;
            case DType.Int32: CopyFrom<int>(src, dst); break;
            case DType.Int64: CopyFrom<long>(src, dst); break;
            case DType.Bool: CopyFrom<byte>(src, dst); break;
        }
    }

    private static void CopySame<T>(Tensor src, Tensor dst)
        where T : unmanaged
    {
        var s = Buffer<T>(src);
        var d = Buffer<T>(dst);
        if (src.IsContiguous && dst.IsContiguous)
        {
            s.Slice(src.Offset, src.Numel).CopyTo(d.Slice(dst.Offset, dst.Numel));
            return;
        }
        var layout = StridedLayout.Of(dst, src);
        var n = layout.RowLength;
        var sd = layout.InnerStride(0);
        var ss = layout.InnerStride(1);
        CpuParallel.For(layout.RowCount, n, (r0, r1) =>
        {
            var sSpan = Buffer<T>(src);
            var dSpan = Buffer<T>(dst);
            Span<int> off = stackalloc int[2];
            for (var r = r0; r < r1; r++)
            {
                layout.RowOffsets(r, off);
                if (sd == 1 && ss == 1) sSpan.Slice(off[1], n).CopyTo(dSpan.Slice(off[0], n));
                else if (ss == 0) dSpan.Slice(off[0], n).Fill(sSpan[off[1]]);
                else
                {
                    ref var dRef = ref dSpan[off[0]];
                    ref var sRef = ref sSpan[off[1]];
                    for (var i = 0; i < n; i++) Unsafe.Add(ref dRef, i * sd) = Unsafe.Add(ref sRef, i * ss);
                }
            }
        });
    }

    private static void CopyFrom<TS>(Tensor src, Tensor dst)
        where TS : unmanaged, INumber<TS>
    {
        switch (dst.DType)
        {
            case DType.Float32: Convert<TS, float>(src, dst); break;
            case DType.Float64: Convert<TS, double>(src, dst); break;
            case DType.Int32: Convert<TS, int>(src, dst); break;
            case DType.Int64: Convert<TS, long>(src, dst); break;
            case DType.Bool: Convert<TS, byte>(src, dst); break;
        }
    }

    private static void Convert<TS, TD>(Tensor src, Tensor dst)
        where TS : unmanaged, INumber<TS>
        where TD : unmanaged, INumber<TD>
    {
        var toBool = dst.DType == DType.Bool;
        var layout = StridedLayout.Of(dst, src);
        var n = layout.RowLength;
        var sd = layout.InnerStride(0);
        var ss = layout.InnerStride(1);
        var s = Buffer<TS>(src);
        var d = Buffer<TD>(dst);
        Span<int> off = stackalloc int[2];
        for (var r = 0; r < layout.RowCount; r++)
        {
            layout.RowOffsets(r, off);
            for (var i = 0; i < n; i++)
            {
                var v = s[off[1] + i * ss];
                d[off[0] + i * sd] = toBool ? (TS.IsZero(v) ? TD.Zero : TD.One) : TD.CreateTruncating(v);
            }
        }
    }
}
