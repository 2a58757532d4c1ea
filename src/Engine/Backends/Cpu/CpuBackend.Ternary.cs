using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine.Backends.Cpu;

/// <summary>Fused three-input elementwise ops (addcmul, addcdiv, lerp). Rows whose operands are each contiguous or a
/// broadcast scalar take one <see cref="Vector{T}"/> loop; other strides take a scalar loop. One pass over memory is
/// the point: an optimizer update written with these reads each state tensor once per step.</summary>
public sealed partial class CpuBackend
{
    public void Ternary(TernaryOp op, Tensor a, Tensor b, Tensor c, Tensor y, double alpha)
    {
        if (y.Numel == 0) return;
        switch (y.DType)
        {
            case DType.Float32: Ternary<float>(op, a, b, c, y, (float)alpha); break;
            case DType.Float64: Ternary<double>(op, a, b, c, y, alpha); break;
            default: ThrowUnsupported($"Ternary {op}", y.DType); break;
        }
    }

    private static void Ternary<T>(TernaryOp op, Tensor a, Tensor b, Tensor c, Tensor y, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case TernaryOp.Addcmul: TernaryRows<T, AddcmulK<T>>(a, b, c, y, alpha); break;
            case TernaryOp.Addcdiv: TernaryRows<T, AddcdivK<T>>(a, b, c, y, alpha); break;
            case TernaryOp.Lerp: TernaryRows<T, LerpK<T>>(a, b, c, y, alpha); break;
        }
    }

    private static void TernaryRows<T, TK>(Tensor a, Tensor b, Tensor c, Tensor y, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TK : ITernaryKernel<T>
    {
        var layout = StridedLayout.Of(y, a, b, c);
        var n = layout.RowLength;
        int sy = layout.InnerStride(0), sa = layout.InnerStride(1), sb = layout.InnerStride(2), sc = layout.InnerStride(3);
        var vectorRows = sy == 1 && sa is 0 or 1 && sb is 0 or 1 && sc is 0 or 1;
        CpuParallel.For(layout.RowCount, n, (r0, r1) =>
        {
            var ya = Buffer<T>(y);
            var aa = Buffer<T>(a);
            var ba = Buffer<T>(b);
            var ca = Buffer<T>(c);
            Span<int> off = stackalloc int[4];
            for (var r = r0; r < r1; r++)
            {
                layout.RowOffsets(r, off);
                ref var ry = ref ya[off[0]];
                ref var ra = ref aa[off[1]];
                ref var rb = ref ba[off[2]];
                ref var rc = ref ca[off[3]];
                var i = 0;
                if (vectorRows && Vector.IsHardwareAccelerated)
                {
                    var va = new Vector<T>(alpha);
                    for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
                    {
                        var x = Load(ref ra, sa, i);
                        var u = Load(ref rb, sb, i);
                        var w = Load(ref rc, sc, i);
                        TK.V(x, u, w, va).StoreUnsafe(ref ry, (nuint)i);
                    }
                }
                for (; i < n; i++)
                    Unsafe.Add(ref ry, i * sy) = TK.S(Unsafe.Add(ref ra, i * sa), Unsafe.Add(ref rb, i * sb), Unsafe.Add(ref rc, i * sc), alpha);
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Load<T>(ref T row, int stride, int i)
        where T : unmanaged
        => stride == 0 ? new Vector<T>(row) : Vector.LoadUnsafe(ref row, (nuint)i);

    private interface ITernaryKernel<T>
        where T : unmanaged
    {
        static abstract T S(T a, T b, T c, T alpha);

        static abstract Vector<T> V(Vector<T> a, Vector<T> b, Vector<T> c, Vector<T> alpha);
    }

    private readonly struct AddcmulK<T> : ITernaryKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T S(T a, T b, T c, T alpha) => a + alpha * b * c;

        public static Vector<T> V(Vector<T> a, Vector<T> b, Vector<T> c, Vector<T> alpha) => a + alpha * b * c;
    }

    private readonly struct AddcdivK<T> : ITernaryKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // alpha * (b / c), PyTorch's order of rounding.
        public static T S(T a, T b, T c, T alpha) => a + alpha * (b / c);

        public static Vector<T> V(Vector<T> a, Vector<T> b, Vector<T> c, Vector<T> alpha) => a + alpha * (b / c);
    }

    /// <summary>PyTorch's two-sided lerp: from a when the weight is below 1/2, from b otherwise, so weight 1 gives b
    /// exactly and rounding error stays small at both ends.</summary>
    private readonly struct LerpK<T> : ITernaryKernel<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static readonly T Half = T.CreateTruncating(0.5);

        public static T S(T a, T b, T c, T alpha) => c < Half ? a + c * (b - a) : b - (b - a) * (T.One - c);

        public static Vector<T> V(Vector<T> a, Vector<T> b, Vector<T> c, Vector<T> alpha)
        {
            var d = b - a;
            return Vector.ConditionalSelect(Vector.LessThan(c, new Vector<T>(Half)), a + c * d, b - d * (Vector<T>.One - c));
        }
    }
}
