using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Backends.Cpu;

/// <summary>Fused optimizer updates: one vectorised pass over a parameter, its gradient and its state, instead of
/// the half-dozen elementwise ops (and temporaries) the update rule would otherwise take.</summary>
public sealed partial class CpuBackend
{
    public void AdamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, AdamStep step)
    {
        var g = Densify(grad);
        var n = param.Numel;
        if (n == 0) return;
        if (n < ElementwiseParallelThreshold) AdamRange(param, g, expAvg, expAvgSq, maxExpAvgSq, step, 0, n);
        else AdamParallel(param, g, expAvg, expAvgSq, maxExpAvgSq, step, n);
    }

    private static void AdamParallel(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor? vmax, AdamStep step, int n)
        => CpuParallel.For(n, 4, (start, end) => AdamRange(param, grad, m, v, vmax, step, start, end));

    private static void AdamRange(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor? vmax, AdamStep step, int start, int end)
    {
        switch (param.DType)
        {
            case DType.Float32: Adam<float>(param, grad, m, v, vmax, step, start, end); break;
            case DType.Float64: Adam<double>(param, grad, m, v, vmax, step, start, end); break;
            default: ThrowUnsupported("AdamUpdate", param.DType); break;
        }
    }

    private static void Adam<T>(Tensor param, Tensor grad, Tensor mt, Tensor vt, Tensor? vmaxT, AdamStep s, int start, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = end - start;
        var p = Dense<T>(param).Slice(start, n);
        var g = Dense<T>(grad).Slice(start, n);
        var m = Dense<T>(mt).Slice(start, n);
        var v = Dense<T>(vt).Slice(start, n);
        var vmax = vmaxT is null ? default : Dense<T>(vmaxT).Slice(start, n);
        var k = new AdamConstants<T>(s);
        var i = 0;
        if (Vector512.IsHardwareAccelerated && vmaxT is null)
        {
            ref var pr = ref MemoryMarshal.GetReference(p);
            ref var gr = ref MemoryMarshal.GetReference(g);
            ref var mr = ref MemoryMarshal.GetReference(m);
            ref var vr = ref MemoryMarshal.GetReference(v);
            for (; i <= n - Vector512<T>.Count; i += Vector512<T>.Count)
            {
                var (pi, mi, vi) = k.Update(
                    Vector512.LoadUnsafe(ref pr, (nuint)i), Vector512.LoadUnsafe(ref gr, (nuint)i),
                    Vector512.LoadUnsafe(ref mr, (nuint)i), Vector512.LoadUnsafe(ref vr, (nuint)i));
                pi.StoreUnsafe(ref pr, (nuint)i);
                mi.StoreUnsafe(ref mr, (nuint)i);
                vi.StoreUnsafe(ref vr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            var gi = k.Maximize ? -g[i] : g[i];
            var pi = p[i];
            if (k.L2 != T.Zero) gi += k.L2 * pi;
            var mi = m[i] + k.OneMinusBeta1 * (gi - m[i]);
            var vi = k.Beta2 * v[i] + k.OneMinusBeta2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            var second = vi;
            if (vmaxT is not null) second = vmax[i] = T.Max(vmax[i], vi);
            p[i] = pi * k.Decay - k.StepSize * mi / (T.Sqrt(second) / k.Bias2Sqrt + k.Eps);
        }
    }

    /// <summary>The per-step scalars of an Adam update, as T and as broadcast vectors.</summary>
    private readonly struct AdamConstants<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public readonly T L2, OneMinusBeta1, Beta2, OneMinusBeta2, Decay, StepSize, Bias2Sqrt, Eps;
        public readonly bool Maximize;

        public AdamConstants(AdamStep s)
        {
            var bias1 = 1 - Math.Pow(s.Beta1, s.Step);
            var bias2 = 1 - Math.Pow(s.Beta2, s.Step);
            L2 = T.CreateTruncating(s.Decoupled ? 0 : s.WeightDecay);
            OneMinusBeta1 = T.CreateTruncating(1 - s.Beta1);
            Beta2 = T.CreateTruncating(s.Beta2);
            OneMinusBeta2 = T.CreateTruncating(1 - s.Beta2);
            Decay = T.CreateTruncating(s.Decoupled ? 1 - s.Lr * s.WeightDecay : 1);
            StepSize = T.CreateTruncating(s.Lr / bias1);
            Bias2Sqrt = T.CreateTruncating(Math.Sqrt(bias2));
            Eps = T.CreateTruncating(s.Eps);
            Maximize = s.Maximize;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public (Vector512<T> P, Vector512<T> M, Vector512<T> V) Update(Vector512<T> p, Vector512<T> g, Vector512<T> m, Vector512<T> v)
        {
            if (Maximize) g = -g;
            if (L2 != T.Zero) g += Vector512.Create(L2) * p;
            m += Vector512.Create(OneMinusBeta1) * (g - m);
            v = Vector512.Create(Beta2) * v + Vector512.Create(OneMinusBeta2) * g * g;
            var denom = Vector512.Sqrt(v) / Vector512.Create(Bias2Sqrt) + Vector512.Create(Eps);
            p = p * Vector512.Create(Decay) - Vector512.Create(StepSize) * m / denom;
            return (p, m, v);
        }
    }
}
