using System.Numerics;
using System.Numerics.Tensors;
using Engine.Backends.Cpu;

namespace Engine.Nn;

/// <summary>The pointwise part of an LSTM or GRU step as one autograd node on the CPU, with its backward written out:
/// composed of separate ops, a step records about fifteen nodes, each with its own temporaries and gate slices whose
/// backward zero-fills the whole gate tensor, which makes the per-step overhead dominate at the batch and hidden
/// sizes sequence models use. The GEMMs stay outside (the input projection for all steps, h W_hh^T per step).</summary>
internal static class FusedCells
{
    /// <summary>Whether the fused kernels serve these tensors (CPU floating point); other devices use the composed
    /// ops.</summary>
    public static bool Supports(Tensor t) => t.Storage is CpuStorage && t.DType is DType.Float32 or DType.Float64;

    /// <summary>LSTM: gates = projected + recurrent [B, 4H] in the order i, f, g, o; returns [2, B, H] holding h' and c'.</summary>
    public static Tensor Lstm(Tensor projected, Tensor recurrent, Tensor c) => projected.DType == DType.Float32
        ? LstmOp<float>(projected, recurrent, c)
        : LstmOp<double>(projected, recurrent, c);

    /// <summary>GRU: r, z, n from projected (x W_ih^T + b_ih) and recurrent (h W_hh^T + b_hh), both [B, 3H]; returns h'.</summary>
    public static Tensor Gru(Tensor projected, Tensor recurrent, Tensor h) => projected.DType == DType.Float32
        ? GruOp<float>(projected, recurrent, h)
        : GruOp<double>(projected, recurrent, h);

    private static Tensor LstmOp<T>(Tensor projected, Tensor recurrent, Tensor cIn)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (xp, hp, c) = (Dense(projected), Dense(recurrent), Dense(cIn));
        int batch = c.Size(0), hidden = c.Size(1);
        // Saved for the backward pass: the activated gates i, f, g, o and tanh(c') per row.
        var saved = new T[batch * 5 * hidden];
        var result = Tensor.Empty([2, batch, hidden], projected.DType, Device.Cpu);
        var x = Data<T>(xp);
        var r = Data<T>(hp);
        var cs = Data<T>(c);
        var y = Data<T>(result);
        int h4 = 4 * hidden, h5 = 5 * hidden;
        for (var b = 0; b < batch; b++)
        {
            var a = saved.AsSpan(b * h5, h5);
            TensorPrimitives.Add<T>(x.Slice(b * h4, h4), r.Slice(b * h4, h4), a[..h4]);
            TensorPrimitives.Sigmoid<T>(a[..(2 * hidden)], a[..(2 * hidden)]);
            TensorPrimitives.Tanh<T>(a.Slice(2 * hidden, hidden), a.Slice(2 * hidden, hidden));
            TensorPrimitives.Sigmoid<T>(a.Slice(3 * hidden, hidden), a.Slice(3 * hidden, hidden));
            var cNext = y.Slice((batch + b) * hidden, hidden);
            TensorPrimitives.Multiply<T>(a.Slice(hidden, hidden), cs.Slice(b * hidden, hidden), cNext);
            TensorPrimitives.FusedMultiplyAdd<T>(a[..hidden], a.Slice(2 * hidden, hidden), cNext, cNext);
            var tanhC = a.Slice(h4, hidden);
            TensorPrimitives.Tanh<T>(cNext, tanhC);
            TensorPrimitives.Multiply<T>(a.Slice(3 * hidden, hidden), tanhC, y.Slice(b * hidden, hidden));
        }
        if (!Tensor.NeedsGrad(xp, hp, c)) return result;
        return result.Record("LstmCell", [xp, hp, c], g =>
        {
            if (Autograd.IsEnabled)
                throw new NotSupportedException("LSTM: the fused CPU step has no double backward (createGraph); set FusedKernels = false on the module");
            var gd = Data<T>(Dense(g));
            var cv = Data<T>(c);
            var gGates = Tensor.Empty([batch, h4], c.DType, Device.Cpu);
            var gates = Data<T>(gGates);
            var gc = Tensor.Empty([batch, hidden], c.DType, Device.Cpu);
            var gcv = Data<T>(gc);
            for (var b = 0; b < batch; b++)
            {
                var a = saved.AsSpan(b * h5, h5);
                for (var j = 0; j < hidden; j++)
                {
                    T i = a[j], f = a[hidden + j], gg = a[2 * hidden + j], o = a[3 * hidden + j], tc = a[h4 + j];
                    var dh = gd[b * hidden + j];
                    var dc = gd[(batch + b) * hidden + j] + dh * o * (T.One - tc * tc);
                    var row = b * h4;
                    gates[row + j] = dc * gg * i * (T.One - i);
                    gates[row + hidden + j] = dc * cv[b * hidden + j] * f * (T.One - f);
                    gates[row + 2 * hidden + j] = dc * i * (T.One - gg * gg);
                    gates[row + 3 * hidden + j] = dh * tc * o * (T.One - o);
                    gcv[b * hidden + j] = dc * f;
                }
            }
            return [gGates, gGates, gc];
        });
    }

    private static Tensor GruOp<T>(Tensor projected, Tensor recurrent, Tensor hIn)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (xp, hp, h) = (Dense(projected), Dense(recurrent), Dense(hIn));
        int batch = h.Size(0), hidden = h.Size(1), h3 = 3 * hidden;
        // Saved for the backward pass: r, z, n per row.
        var saved = new T[batch * h3];
        var result = Tensor.Empty([batch, hidden], projected.DType, Device.Cpu);
        var x = Data<T>(xp);
        var rec = Data<T>(hp);
        var hv = Data<T>(h);
        var y = Data<T>(result);
        for (var b = 0; b < batch; b++)
        {
            var a = saved.AsSpan(b * h3, h3);
            var xr = x.Slice(b * h3, h3);
            var hr = rec.Slice(b * h3, h3);
            TensorPrimitives.Add<T>(xr[..(2 * hidden)], hr[..(2 * hidden)], a[..(2 * hidden)]);
            TensorPrimitives.Sigmoid<T>(a[..(2 * hidden)], a[..(2 * hidden)]);
            var n = a.Slice(2 * hidden, hidden);
            TensorPrimitives.FusedMultiplyAdd<T>(a[..hidden], hr.Slice(2 * hidden, hidden), xr.Slice(2 * hidden, hidden), n);
            TensorPrimitives.Tanh<T>(n, n);
            // h' = n + z (h - n)
            var yr = y.Slice(b * hidden, hidden);
            TensorPrimitives.Subtract<T>(hv.Slice(b * hidden, hidden), n, yr);
            TensorPrimitives.FusedMultiplyAdd<T>(a.Slice(hidden, hidden), yr, n, yr);
        }
        if (!Tensor.NeedsGrad(xp, hp, h)) return result;
        return result.Record("GruCell", [xp, hp, h], g =>
        {
            if (Autograd.IsEnabled)
                throw new NotSupportedException("GRU: the fused CPU step has no double backward (createGraph); set FusedKernels = false on the module");
            var gd = Data<T>(Dense(g));
            var hv2 = Data<T>(h);
            var rec2 = Data<T>(hp);
            var gxTensor = Tensor.Empty([batch, h3], h.DType, Device.Cpu);
            var grTensor = Tensor.Empty([batch, h3], h.DType, Device.Cpu);
            var gx = Data<T>(gxTensor);
            var gr = Data<T>(grTensor);
            var gh = Tensor.Empty([batch, hidden], h.DType, Device.Cpu);
            var ghv = Data<T>(gh);
            for (var b = 0; b < batch; b++)
            {
                var a = saved.AsSpan(b * h3, h3);
                var row = b * h3;
                for (var j = 0; j < hidden; j++)
                {
                    T r = a[j], z = a[hidden + j], n = a[2 * hidden + j];
                    var dh = gd[b * hidden + j];
                    var hPrev = hv2[b * hidden + j];
                    var dn = dh * (T.One - z) * (T.One - n * n);
                    var dr = dn * rec2[row + 2 * hidden + j] * r * (T.One - r);
                    var dz = dh * (hPrev - n) * z * (T.One - z);
                    gx[row + j] = gr[row + j] = dr;
                    gx[row + hidden + j] = gr[row + hidden + j] = dz;
                    gx[row + 2 * hidden + j] = dn;
                    gr[row + 2 * hidden + j] = dn * r;
                    ghv[b * hidden + j] = dh * z;
                }
            }
            return [gxTensor, grTensor, gh];
        });
    }

    /// <summary>A contiguous version of t (t itself when it is), so the kernels can walk rows of the array.</summary>
    private static Tensor Dense(Tensor t) => t.Contiguous();

    private static Span<T> Data<T>(Tensor t)
        where T : unmanaged
        => ((T[])((CpuStorage)t.Storage).Data).AsSpan(t.Offset, t.Numel);
}
