using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Lab.Sequence;

/// <summary>The linear recurrence x_t = A_t x_{t-1} + b_t (x_{-1} = 0) over <c>steps</c> time steps of <c>units</c>
/// independent q-vectors (A_t one q x q block per unit), solved by a parallel prefix reduction: ceil(log2 T) rounds
/// of (A, b) pair compositions (A2, b2) o (A1, b1) = (A2 A1, A2 b1 + b2), each round parallel over time segments.
/// Arrays are row-major [steps, units, q, q] and [steps, units, q]. This is the block-bidiagonal solve inside each
/// Newton iteration of ParaRNN (forward) and the adjoint solve of its backward pass.</summary>
internal static class BlockRecurrence
{
    /// <summary>Below this many multiply-adds per round a round stays on one thread (the pool costs more).</summary>
    private const long ParallelWork = 1 << 15;

    /// <summary>All x_t. Prefix after round with offset d: element t holds the composition of steps max(0, t-2d+1)..t;
    /// once it reaches step 0 its A no longer matters (it multiplies x_{-1} = 0), so A is only formed where a later
    /// round still needs it (t >= 2d).</summary>
    public static T[] Solve<T>(T[] a, T[] b, int steps, int units, int q)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vector = units * q;
        var matrix = vector * q;
        if (a.Length != (long)steps * matrix || b.Length != (long)steps * vector)
            throw new ArgumentException(
                $"BlockRecurrence: {steps} steps of {units} units of size {q} need {(long)steps * matrix} matrix and {(long)steps * vector} vector elements; got {a.Length} and {b.Length}");
        var aCur = (T[])a.Clone();
        var bCur = (T[])b.Clone();
        var aNext = new T[a.Length];
        var bNext = new T[b.Length];
        for (var d = 1; d < steps; d <<= 1)
        {
            var offset = d;
            var formA = 2L * d < steps;
            Array.Copy(bCur, bNext, (long)d * vector);
            ForSegments(offset, steps, (long)matrix * (q + (formA ? q : 0)), (t0, t1) =>
            {
                if (q == 1) CombineDiagonal(aCur, bCur, aNext, bNext, t0, t1, offset, vector, formA);
                else if (q == 2) CombinePairs(aCur, bCur, aNext, bNext, t0, t1, offset, units, formA);
                else CombineBlocks(aCur, bCur, aNext, bNext, t0, t1, offset, units, q, formA);
            });
            (aCur, aNext) = (aNext, aCur);
            (bCur, bNext) = (bNext, bCur);
        }
        return bCur;
    }

    /// <summary>The adjoint recurrence lambda_t = g_t + A_{t+1}^T lambda_{t+1} (lambda after the last step = 0): the
    /// same reduction on time-reversed, transposed blocks.</summary>
    public static T[] SolveAdjoint<T>(T[] a, T[] g, int steps, int units, int q)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vector = units * q;
        var matrix = vector * q;
        var ar = new T[a.Length];
        var gr = new T[g.Length];
        for (var s = 0; s < steps; s++)
        {
            var t = steps - 1 - s;
            Array.Copy(g, (long)t * vector, gr, (long)s * vector, vector);
            if (s == 0) continue;
            var src = (long)(t + 1) * matrix;
            var dst = (long)s * matrix;
            if (q == 1)
            {
                Array.Copy(a, src, ar, dst, matrix);
                continue;
            }
            for (var u = 0; u < units; u++)
                for (var i = 0; i < q; i++)
                    for (var j = 0; j < q; j++)
                        ar[dst + (u * q + i) * q + j] = a[src + (u * q + j) * q + i];
        }
        var xr = Solve(ar, gr, steps, units, q);
        var lambda = new T[g.Length];
        for (var s = 0; s < steps; s++) Array.Copy(xr, (long)s * vector, lambda, (long)(steps - 1 - s) * vector, vector);
        return lambda;
    }

    private static void ForSegments(int first, int steps, long workPerStep, Action<int, int> body)
    {
        var count = steps - first;
        var segments = (long)count * workPerStep < ParallelWork ? 1 : Math.Min(count, 4 * Environment.ProcessorCount);
        if (segments == 1)
        {
            body(first, steps);
            return;
        }
        Parallel.For(0, segments, k => body(first + (int)((long)count * k / segments), first + (int)((long)count * (k + 1) / segments)));
    }

    /// <summary>Diagonal blocks: the steps of a segment are one contiguous span, so each round is two vector ops.</summary>
    private static void CombineDiagonal<T>(T[] aCur, T[] bCur, T[] aNext, T[] bNext, int t0, int t1, int d, int vector, bool formA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var start = t0 * vector;
        var length = (t1 - t0) * vector;
        var back = (t0 - d) * vector;
        TensorPrimitives.FusedMultiplyAdd<T>(aCur.AsSpan(start, length), bCur.AsSpan(back, length), bCur.AsSpan(start, length), bNext.AsSpan(start, length));
        if (!formA) return;
        // Only steps t >= 2d need A after this round.
        var from = Math.Max(t0, 2 * d);
        if (from >= t1) return;
        var aStart = from * vector;
        var aLength = (t1 - from) * vector;
        TensorPrimitives.Multiply<T>(aCur.AsSpan(aStart, aLength), aCur.AsSpan(aStart - d * vector, aLength), aNext.AsSpan(aStart, aLength));
    }

    /// <summary>2x2 blocks written out: the general loops cost several times more for ParaLSTM's pairs.</summary>
    private static void CombinePairs<T>(T[] aCur, T[] bCur, T[] aNext, T[] bNext, int t0, int t1, int d, int units, bool formA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var t = t0; t < t1; t++)
        {
            var a2 = aCur.AsSpan(t * units * 4, units * 4);
            var a1 = aCur.AsSpan((t - d) * units * 4, units * 4);
            var b2 = bCur.AsSpan(t * units * 2, units * 2);
            var b1 = bCur.AsSpan((t - d) * units * 2, units * 2);
            var bOut = bNext.AsSpan(t * units * 2, units * 2);
            for (var u = 0; u < units; u++)
            {
                var (m, v) = (4 * u, 2 * u);
                var (p0, p1) = (b1[v], b1[v + 1]);
                bOut[v] = b2[v] + a2[m] * p0 + a2[m + 1] * p1;
                bOut[v + 1] = b2[v + 1] + a2[m + 2] * p0 + a2[m + 3] * p1;
            }
            if (!formA || t < 2 * d) continue;
            var aOut = aNext.AsSpan(t * units * 4, units * 4);
            for (var m = 0; m < aOut.Length; m += 4)
            {
                var (x00, x01, x10, x11) = (a2[m], a2[m + 1], a2[m + 2], a2[m + 3]);
                var (y00, y01, y10, y11) = (a1[m], a1[m + 1], a1[m + 2], a1[m + 3]);
                aOut[m] = x00 * y00 + x01 * y10;
                aOut[m + 1] = x00 * y01 + x01 * y11;
                aOut[m + 2] = x10 * y00 + x11 * y10;
                aOut[m + 3] = x10 * y01 + x11 * y11;
            }
        }
    }

    private static void CombineBlocks<T>(T[] aCur, T[] bCur, T[] aNext, T[] bNext, int t0, int t1, int d, int units, int q, bool formA)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vector = units * q;
        var matrix = vector * q;
        for (var t = t0; t < t1; t++)
        {
            var needA = formA && t >= 2 * d;
            for (var u = 0; u < units; u++)
            {
                var m2 = (long)t * matrix + u * q * q;
                var m1 = (long)(t - d) * matrix + u * q * q;
                var v2 = (long)t * vector + u * q;
                var v1 = (long)(t - d) * vector + u * q;
                for (var i = 0; i < q; i++)
                {
                    var sum = bCur[v2 + i];
                    for (var k = 0; k < q; k++) sum += aCur[m2 + i * q + k] * bCur[v1 + k];
                    bNext[v2 + i] = sum;
                    if (!needA) continue;
                    for (var j = 0; j < q; j++)
                    {
                        var c = T.Zero;
                        for (var k = 0; k < q; k++) c += aCur[m2 + i * q + k] * aCur[m1 + k * q + j];
                        aNext[m2 + i * q + j] = c;
                    }
                }
            }
        }
    }
}
