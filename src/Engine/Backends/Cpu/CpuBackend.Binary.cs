using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>Binary elementwise ops and where(). Rows of the collapsed layout go to TensorPrimitives (arithmetic) or
/// to vectorised row loops (comparisons, where) when the inputs are contiguous along the row or broadcast scalars;
/// other strides take a scalar loop.</summary>
public sealed partial class CpuBackend
{
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (y.Numel == 0) return;
        if (op.IsComparison())
        {
            switch (a.DType)
            {
                case DType.Float32: Compare<float>(op, a, b, y); break;
                case DType.Float64: Compare<double>(op, a, b, y); break;
                case DType.Int32: Compare<int>(op, a, b, y); break;
                case DType.Int64: Compare<long>(op, a, b, y); break;
                case DType.Bool: Compare<byte>(op, a, b, y); break;
            }
            return;
        }
        switch (a.DType)
        {
            case DType.Float32: FloatArithmetic<float>(op, a, b, y); break;
            case DType.Float64: FloatArithmetic<double>(op, a, b, y); break;
            case DType.Int32: Arithmetic<int>(op, a, b, y); break;
            case DType.Int64: Arithmetic<long>(op, a, b, y); break;
            default: ThrowUnsupported($"Binary {op}", a.DType); break;
        }
    }

    private static void FloatArithmetic<T>(BinaryOp op, Tensor a, Tensor b, Tensor y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (op == BinaryOp.Pow) Rows<T, PowK<T>>(a, b, y);
        else Arithmetic<T>(op, a, b, y);
    }

    private static void Arithmetic<T>(BinaryOp op, Tensor a, Tensor b, Tensor y)
        where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case BinaryOp.Add: Rows<T, AddK<T>>(a, b, y); break;
            case BinaryOp.Sub: Rows<T, SubK<T>>(a, b, y); break;
            case BinaryOp.Mul: Rows<T, MulK<T>>(a, b, y); break;
            case BinaryOp.Div: Rows<T, DivK<T>>(a, b, y); break;
            case BinaryOp.Maximum: Rows<T, MaxK<T>>(a, b, y); break;
            case BinaryOp.Minimum: Rows<T, MinK<T>>(a, b, y); break;
            default: throw new ArgumentException($"Binary: {op} is not supported for {a.DType}");
        }
    }

    private static void Rows<T, TK>(Tensor a, Tensor b, Tensor y)
        where T : unmanaged
        where TK : IBinaryKernel<T>
    {
        // Flat fast path: y contiguous and each input either laid out as y or a broadcast scalar.
        var ka = FlatKind(a);
        var kb = FlatKind(b);
        if (y.IsContiguous && ka != FlatLayout.Other && kb != FlatLayout.Other && (ka, kb) != (FlatLayout.Scalar, FlatLayout.Scalar))
        {
            var total = y.Numel;
            if (total < ElementwiseParallelThreshold) FlatRange<T, TK>(a, b, y, ka, kb, 0, total);
            else FlatParallel<T, TK>(a, b, y, ka, kb, total);
            return;
        }
        StridedRows<T, TK>(a, b, y);
    }

    /// <summary>The general case: rows of the collapsed layout, each contiguous, broadcast or strided.</summary>
    private static void StridedRows<T, TK>(Tensor a, Tensor b, Tensor y)
        where T : unmanaged
        where TK : IBinaryKernel<T>
    {
        var layout = StridedLayout.Of(y, a, b);
        var n = layout.RowLength;
        int sy = layout.InnerStride(0), sa = layout.InnerStride(1), sb = layout.InnerStride(2);
        CpuParallel.For(layout.RowCount, n, (r0, r1) =>
        {
            var ya = Buffer<T>(y);
            var aa = Buffer<T>(a);
            var ba = Buffer<T>(b);
            Span<int> off = stackalloc int[3];
            for (var r = r0; r < r1; r++)
            {
                layout.RowOffsets(r, off);
                if (sy == 1)
                {
                    var dst = ya.Slice(off[0], n);
                    if (sa == 1 && sb == 1) { TK.VV(aa.Slice(off[1], n), ba.Slice(off[2], n), dst); continue; }
                    if (sa == 1 && sb == 0) { TK.VS(aa.Slice(off[1], n), ba[off[2]], dst); continue; }
                    if (sa == 0 && sb == 1) { TK.SV(aa[off[1]], ba.Slice(off[2], n), dst); continue; }
                }
                for (var i = 0; i < n; i++) ya[off[0] + i * sy] = TK.S(aa[off[1] + i * sa], ba[off[2] + i * sb]);
            }
        });
    }

    private enum FlatLayout : byte
    {
        Dense,
        Scalar,
        Other,
    }

    /// <summary>How an input already broadcast to the output's shape can be read flat: contiguous (as the output),
    /// one element repeated (every stride 0), or neither.</summary>
    private static FlatLayout FlatKind(Tensor t)
    {
        if (t.IsContiguous) return FlatLayout.Dense;
        foreach (var s in t.StrideArray)
            if (s != 0) return FlatLayout.Other;
        return FlatLayout.Scalar;
    }

    // A separate method so the closure is allocated only on this (large) path, not on every small op.
    private static void FlatParallel<T, TK>(Tensor a, Tensor b, Tensor y, FlatLayout ka, FlatLayout kb, int total)
        where T : unmanaged
        where TK : IBinaryKernel<T>
        => CpuParallel.For(total, 1, (start, end) => FlatRange<T, TK>(a, b, y, ka, kb, start, end));

    private static void FlatRange<T, TK>(Tensor a, Tensor b, Tensor y, FlatLayout ka, FlatLayout kb, int start, int end)
        where T : unmanaged
        where TK : IBinaryKernel<T>
    {
        var n = end - start;
        var dst = Buffer<T>(y).Slice(y.Offset + start, n);
        var aa = Buffer<T>(a);
        var ba = Buffer<T>(b);
        if (ka == FlatLayout.Scalar) TK.SV(aa[a.Offset], ba.Slice(b.Offset + start, n), dst);
        else if (kb == FlatLayout.Scalar) TK.VS(aa.Slice(a.Offset + start, n), ba[b.Offset], dst);
        else TK.VV(aa.Slice(a.Offset + start, n), ba.Slice(b.Offset + start, n), dst);
    }

    private static void Compare<T>(BinaryOp op, Tensor a, Tensor b, Tensor y)
        where T : unmanaged, INumber<T>
    {
        switch (op)
        {
            case BinaryOp.Eq: CompareRows<T, EqK<T>>(a, b, y); break;
            case BinaryOp.Ne: CompareRows<T, NeK<T>>(a, b, y); break;
            case BinaryOp.Lt: CompareRows<T, LtK<T>>(a, b, y); break;
            case BinaryOp.Le: CompareRows<T, LeK<T>>(a, b, y); break;
            case BinaryOp.Gt: CompareRows<T, GtK<T>>(a, b, y); break;
            case BinaryOp.Ge: CompareRows<T, GeK<T>>(a, b, y); break;
            case BinaryOp.And: CompareRows<T, AndK<T>>(a, b, y); break;
            case BinaryOp.Or: CompareRows<T, OrK<T>>(a, b, y); break;
        }
    }

    private static void CompareRows<T, TK>(Tensor a, Tensor b, Tensor y)
        where T : unmanaged
        where TK : ICompareKernel<T>
    {
        var layout = StridedLayout.Of(y, a, b);
        var n = layout.RowLength;
        int sy = layout.InnerStride(0), sa = layout.InnerStride(1), sb = layout.InnerStride(2);
        CpuParallel.For(layout.RowCount, n, (r0, r1) =>
        {
            var ya = Buffer<byte>(y);
            var aa = Buffer<T>(a);
            var ba = Buffer<T>(b);
            Span<int> off = stackalloc int[3];
            for (var r = r0; r < r1; r++)
            {
                layout.RowOffsets(r, off);
                if (sy == 1 && sa is 0 or 1 && sb is 0 or 1)
                {
                    CompareRow<T, TK>(aa.Slice(off[1], sa == 0 ? 1 : n), ba.Slice(off[2], sb == 0 ? 1 : n), ya.Slice(off[0], n));
                    continue;
                }
                for (var i = 0; i < n; i++)
                    ya[off[0] + i * sy] = TK.S(aa[off[1] + i * sa], ba[off[2] + i * sb]) ? (byte)1 : (byte)0;
            }
        });
    }

    /// <summary>One contiguous output row; an input of length 1 (when the row is longer) is a broadcast scalar.</summary>
    private static void CompareRow<T, TK>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<byte> y)
        where T : unmanaged
        where TK : ICompareKernel<T>
    {
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var n = (nuint)y.Length;
        nuint aStep = a.Length == y.Length ? 1u : 0u, bStep = b.Length == y.Length ? 1u : 0u;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            var w = (nuint)Vector512<T>.Count;
            Vector512<T> a0 = Vector512.Create(ar), b0 = Vector512.Create(br);
            for (; i <= n - w; i += w)
            {
                var va = aStep == 0 ? a0 : Vector512.LoadUnsafe(ref ar, i);
                var vb = bStep == 0 ? b0 : Vector512.LoadUnsafe(ref br, i);
                BoolMask.Store(TK.V(va, vb), ref yr, i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            var w = (nuint)Vector256<T>.Count;
            Vector256<T> a0 = Vector256.Create(ar), b0 = Vector256.Create(br);
            for (; i <= n - w; i += w)
            {
                var va = aStep == 0 ? a0 : Vector256.LoadUnsafe(ref ar, i);
                var vb = bStep == 0 ? b0 : Vector256.LoadUnsafe(ref br, i);
                BoolMask.Store(TK.V(va, vb), ref yr, i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = TK.S(Unsafe.Add(ref ar, i * aStep), Unsafe.Add(ref br, i * bStep)) ? (byte)1 : (byte)0;
    }

    public void Where(Tensor cond, Tensor a, Tensor b, Tensor y)
    {
        if (y.Numel == 0) return;
        switch (y.DType)
        {
            case DType.Float32: WhereImpl<float>(cond, a, b, y); break;
            case DType.Float64: WhereImpl<double>(cond, a, b, y); break;
            case DType.Int32: WhereImpl<int>(cond, a, b, y); break;
            case DType.Int64: WhereImpl<long>(cond, a, b, y); break;
            case DType.Bool: WhereImpl<byte>(cond, a, b, y); break;
        }
    }

    private static void WhereImpl<T>(Tensor cond, Tensor a, Tensor b, Tensor y)
        where T : unmanaged
    {
        var layout = StridedLayout.Of(y, cond, a, b);
        var n = layout.RowLength;
        int sy = layout.InnerStride(0), sc = layout.InnerStride(1), sa = layout.InnerStride(2), sb = layout.InnerStride(3);
        CpuParallel.For(layout.RowCount, n, (r0, r1) =>
        {
            var ya = Buffer<T>(y);
            var ca = Buffer<byte>(cond);
            var aa = Buffer<T>(a);
            var ba = Buffer<T>(b);
            Span<int> off = stackalloc int[4];
            for (var r = r0; r < r1; r++)
            {
                layout.RowOffsets(r, off);
                if (sy == 1 && sc == 1 && sa is 0 or 1 && sb is 0 or 1)
                {
                    WhereRow(ca.Slice(off[1], n), aa.Slice(off[2], sa == 0 ? 1 : n), ba.Slice(off[3], sb == 0 ? 1 : n), ya.Slice(off[0], n));
                    continue;
                }
                for (var i = 0; i < n; i++)
                    ya[off[0] + i * sy] = ca[off[1] + i * sc] != 0 ? aa[off[2] + i * sa] : ba[off[3] + i * sb];
            }
        });
    }

    /// <summary>One contiguous row of where(); a value input of length 1 (when the row is longer) is a broadcast
    /// scalar.</summary>
    private static void WhereRow<T>(ReadOnlySpan<byte> cond, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y)
        where T : unmanaged
    {
        ref var cr = ref MemoryMarshal.GetReference(cond);
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var n = (nuint)y.Length;
        nuint aStep = a.Length == y.Length ? 1u : 0u, bStep = b.Length == y.Length ? 1u : 0u;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            var w = (nuint)Vector512<T>.Count;
            Vector512<T> a0 = Vector512.Create(ar), b0 = Vector512.Create(br);
            for (; i <= n - w; i += w)
            {
                var va = aStep == 0 ? a0 : Vector512.LoadUnsafe(ref ar, i);
                var vb = bStep == 0 ? b0 : Vector512.LoadUnsafe(ref br, i);
                Vector512.ConditionalSelect(BoolMask.Load512<T>(ref cr, i), va, vb).StoreUnsafe(ref yr, i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            var w = (nuint)Vector256<T>.Count;
            Vector256<T> a0 = Vector256.Create(ar), b0 = Vector256.Create(br);
            for (; i <= n - w; i += w)
            {
                var va = aStep == 0 ? a0 : Vector256.LoadUnsafe(ref ar, i);
                var vb = bStep == 0 ? b0 : Vector256.LoadUnsafe(ref br, i);
                Vector256.ConditionalSelect(BoolMask.Load256<T>(ref cr, i), va, vb).StoreUnsafe(ref yr, i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref yr, i) = Unsafe.Add(ref cr, i) != 0 ? Unsafe.Add(ref ar, i * aStep) : Unsafe.Add(ref br, i * bStep);
    }

    // ---- kernels -----------------------------------------------------------------------------------------------

    private interface IBinaryKernel<T>
    {
        static abstract void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y);

        static abstract void VS(ReadOnlySpan<T> a, T b, Span<T> y);

        static abstract void SV(T a, ReadOnlySpan<T> b, Span<T> y);

        static abstract T S(T a, T b);
    }

    private readonly struct AddK<T> : IBinaryKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(a, b, y);

        public static void VS(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Add(a, b, y);

        public static void SV(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(b, a, y);

        public static T S(T a, T b) => a + b;
    }

    private readonly struct SubK<T> : IBinaryKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);

        public static void VS(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);

        public static void SV(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Subtract(a, b, y);

        public static T S(T a, T b) => a - b;
    }

    private readonly struct MulK<T> : IBinaryKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);

        public static void VS(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);

        public static void SV(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(b, a, y);

        public static T S(T a, T b) => a * b;
    }

    private readonly struct DivK<T> : IBinaryKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);

        public static void VS(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Divide(a, b, y);

        public static void SV(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);

        public static T S(T a, T b) => a / b;
    }

    private readonly struct MaxK<T> : IBinaryKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Max(a, b, y);

        public static void VS(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Max(a, b, y);

        public static void SV(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Max(b, a, y);

        public static T S(T a, T b) => T.Max(a, b);
    }

    private readonly struct MinK<T> : IBinaryKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Min(a, b, y);

        public static void VS(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Min(a, b, y);

        public static void SV(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Min(b, a, y);

        public static T S(T a, T b) => T.Min(a, b);
    }

    private readonly struct PowK<T> : IBinaryKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void VV(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Pow(a, b, y);

        public static void VS(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Pow(a, b, y);

        public static void SV(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Pow(a, b, y);

        public static T S(T a, T b) => T.Pow(a, b);
    }

    /// <summary>A comparison: scalar, and as lane masks (all bits set where true).</summary>
    private interface ICompareKernel<T>
        where T : unmanaged
    {
        static abstract bool S(T a, T b);

        static abstract Vector256<T> V(Vector256<T> a, Vector256<T> b);

        static abstract Vector512<T> V(Vector512<T> a, Vector512<T> b);
    }

    private readonly struct EqK<T> : ICompareKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static bool S(T a, T b) => a == b;

        public static Vector256<T> V(Vector256<T> a, Vector256<T> b) => Vector256.Equals(a, b);

        public static Vector512<T> V(Vector512<T> a, Vector512<T> b) => Vector512.Equals(a, b);
    }

    private readonly struct NeK<T> : ICompareKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static bool S(T a, T b) => a != b;

        public static Vector256<T> V(Vector256<T> a, Vector256<T> b) => ~Vector256.Equals(a, b);

        public static Vector512<T> V(Vector512<T> a, Vector512<T> b) => ~Vector512.Equals(a, b);
    }

    private readonly struct LtK<T> : ICompareKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static bool S(T a, T b) => a < b;

        public static Vector256<T> V(Vector256<T> a, Vector256<T> b) => Vector256.LessThan(a, b);

        public static Vector512<T> V(Vector512<T> a, Vector512<T> b) => Vector512.LessThan(a, b);
    }

    private readonly struct LeK<T> : ICompareKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static bool S(T a, T b) => a <= b;

        public static Vector256<T> V(Vector256<T> a, Vector256<T> b) => Vector256.LessThanOrEqual(a, b);

        public static Vector512<T> V(Vector512<T> a, Vector512<T> b) => Vector512.LessThanOrEqual(a, b);
    }

    private readonly struct GtK<T> : ICompareKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static bool S(T a, T b) => a > b;

        public static Vector256<T> V(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThan(a, b);

        public static Vector512<T> V(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThan(a, b);
    }

    private readonly struct GeK<T> : ICompareKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static bool S(T a, T b) => a >= b;

        public static Vector256<T> V(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThanOrEqual(a, b);

        public static Vector512<T> V(Vector512<T> a, Vector512<T> b) => Vector512.GreaterThanOrEqual(a, b);
    }

    private readonly struct AndK<T> : ICompareKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static bool S(T a, T b) => !T.IsZero(a) && !T.IsZero(b);

        public static Vector256<T> V(Vector256<T> a, Vector256<T> b) => ~(Vector256.Equals(a, Vector256<T>.Zero) | Vector256.Equals(b, Vector256<T>.Zero));

        public static Vector512<T> V(Vector512<T> a, Vector512<T> b) => ~(Vector512.Equals(a, Vector512<T>.Zero) | Vector512.Equals(b, Vector512<T>.Zero));
    }

    private readonly struct OrK<T> : ICompareKernel<T>
        where T : unmanaged, INumber<T>
    {
        public static bool S(T a, T b) => !T.IsZero(a) || !T.IsZero(b);

        public static Vector256<T> V(Vector256<T> a, Vector256<T> b) => ~(Vector256.Equals(a, Vector256<T>.Zero) & Vector256.Equals(b, Vector256<T>.Zero));

        public static Vector512<T> V(Vector512<T> a, Vector512<T> b) => ~(Vector512.Equals(a, Vector512<T>.Zero) & Vector512.Equals(b, Vector512<T>.Zero));
    }
}
