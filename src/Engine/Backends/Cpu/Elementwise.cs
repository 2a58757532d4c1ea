using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>An elementwise function of one value, with a scalar path and one path per SIMD width. Implemented by
/// structs (instance members, so an op can carry parameters such as a slope or bounds); every generic instantiation of
/// <see cref="Elementwise.Map{T, TOp}(ReadOnlySpan{T}, Span{T}, TOp)"/> is compiled on its own and the calls inline.</summary>
internal interface IUnaryOperator<T>
    where T : unmanaged
{
    T Invoke(T x);

    Vector256<T> Invoke(Vector256<T> x);

    Vector512<T> Invoke(Vector512<T> x);
}

/// <summary>An elementwise function of two values (a backward kernel's input or output and the incoming gradient).</summary>
internal interface IBinaryOperator<T>
    where T : unmanaged
{
    T Invoke(T a, T b);

    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b);

    Vector512<T> Invoke(Vector512<T> a, Vector512<T> b);
}

/// <summary>An elementwise function of three values (a backward kernel's input, output and incoming gradient).</summary>
internal interface ITernaryOperator<T>
    where T : unmanaged
{
    T Invoke(T a, T b, T c);

    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> c);

    Vector512<T> Invoke(Vector512<T> a, Vector512<T> b, Vector512<T> c);
}

/// <summary>The vectorised loops, written once for every operator: whole vectors of the widest accelerated width,
/// then the last (partial) vector recomputed over the final full-width window, so only spans shorter than one
/// 256-bit vector take the scalar path. That last window is computed before the loop stores anything, so the output
/// may be the same span as an input.</summary>
internal static class Elementwise
{
    public static void Map<T, TOp>(ReadOnlySpan<T> x, Span<T> y, TOp op)
        where T : unmanaged
        where TOp : struct, IUnaryOperator<T>
    {
        CheckLengths(x.Length, x.Length, y.Length);
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var n = (nuint)y.Length;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            var w = (nuint)Vector512<T>.Count;
            var last = op.Invoke(Vector512.LoadUnsafe(ref xr, n - w));
            nuint i = 0;
            for (; i <= n - w; i += w) op.Invoke(Vector512.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
            if (i != n) last.StoreUnsafe(ref yr, n - w);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            var w = (nuint)Vector256<T>.Count;
            var last = op.Invoke(Vector256.LoadUnsafe(ref xr, n - w));
            nuint i = 0;
            for (; i <= n - w; i += w) op.Invoke(Vector256.LoadUnsafe(ref xr, i)).StoreUnsafe(ref yr, i);
            if (i != n) last.StoreUnsafe(ref yr, n - w);
        }
        else
        {
            for (nuint i = 0; i < n; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref xr, i));
        }
    }

    public static void Map<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y, TOp op)
        where T : unmanaged
        where TOp : struct, IBinaryOperator<T>
    {
        CheckLengths(a.Length, b.Length, y.Length);
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var n = (nuint)y.Length;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            var w = (nuint)Vector512<T>.Count;
            var last = op.Invoke(Vector512.LoadUnsafe(ref ar, n - w), Vector512.LoadUnsafe(ref br, n - w));
            nuint i = 0;
            for (; i <= n - w; i += w)
                op.Invoke(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i)).StoreUnsafe(ref yr, i);
            if (i != n) last.StoreUnsafe(ref yr, n - w);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            var w = (nuint)Vector256<T>.Count;
            var last = op.Invoke(Vector256.LoadUnsafe(ref ar, n - w), Vector256.LoadUnsafe(ref br, n - w));
            nuint i = 0;
            for (; i <= n - w; i += w)
                op.Invoke(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i)).StoreUnsafe(ref yr, i);
            if (i != n) last.StoreUnsafe(ref yr, n - w);
        }
        else
        {
            for (nuint i = 0; i < n; i++) Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i));
        }
    }

    public static void Map<T, TOp>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, Span<T> y, TOp op)
        where T : unmanaged
        where TOp : struct, ITernaryOperator<T>
    {
        CheckLengths(a.Length, b.Length, y.Length);
        CheckLengths(c.Length, c.Length, y.Length);
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var br = ref MemoryMarshal.GetReference(b);
        ref var cr = ref MemoryMarshal.GetReference(c);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var n = (nuint)y.Length;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<T>.Count)
        {
            var w = (nuint)Vector512<T>.Count;
            var last = op.Invoke(Vector512.LoadUnsafe(ref ar, n - w), Vector512.LoadUnsafe(ref br, n - w), Vector512.LoadUnsafe(ref cr, n - w));
            nuint i = 0;
            for (; i <= n - w; i += w)
                op.Invoke(Vector512.LoadUnsafe(ref ar, i), Vector512.LoadUnsafe(ref br, i), Vector512.LoadUnsafe(ref cr, i)).StoreUnsafe(ref yr, i);
            if (i != n) last.StoreUnsafe(ref yr, n - w);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<T>.Count)
        {
            var w = (nuint)Vector256<T>.Count;
            var last = op.Invoke(Vector256.LoadUnsafe(ref ar, n - w), Vector256.LoadUnsafe(ref br, n - w), Vector256.LoadUnsafe(ref cr, n - w));
            nuint i = 0;
            for (; i <= n - w; i += w)
                op.Invoke(Vector256.LoadUnsafe(ref ar, i), Vector256.LoadUnsafe(ref br, i), Vector256.LoadUnsafe(ref cr, i)).StoreUnsafe(ref yr, i);
            if (i != n) last.StoreUnsafe(ref yr, n - w);
        }
        else
        {
            for (nuint i = 0; i < n; i++)
                Unsafe.Add(ref yr, i) = op.Invoke(Unsafe.Add(ref ar, i), Unsafe.Add(ref br, i), Unsafe.Add(ref cr, i));
        }
    }

    /// <summary>The loops read and write through unchecked references, so a length mismatch (a caller's bug) must
    /// stop here rather than run past a buffer.</summary>
    private static void CheckLengths(int a, int b, int y)
    {
        if (a != y || b != y) throw new ArgumentException($"Elementwise: input lengths {a} and {b} do not match the output length {y}");
    }
}
