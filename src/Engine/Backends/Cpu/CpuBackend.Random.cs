namespace Engine.Backends.Cpu;

/// <summary>Random fills from the Philox stream. Element i of a draw uses block offset + i / k, where k elements come
/// from one block (see <see cref="RandomKindInfo"/>); any backend computing the same mapping gets the same numbers.</summary>
public sealed partial class CpuBackend
{
    public void Random(Tensor y, RandomKind kind, ulong seed, ulong offset, double alpha, double beta)
    {
        var perBlock = RandomKindInfo.For(kind, y.DType).ElementsPerBlock;
        var blocks = (int)Philox.BlocksFor(y.Numel, RandomKindInfo.For(kind, y.DType));
        CpuParallel.For(blocks, 64, (b0, b1) =>
        {
            Span<double> vals = stackalloc double[4];
            for (var blk = b0; blk < b1; blk++)
            {
                var (w0, w1, w2, w3) = Philox.Block(seed, offset + (ulong)blk);
                switch (kind, y.DType, perBlock)
                {
                    case (RandomKind.Uniform, DType.Float64, _):
                        vals[0] = alpha + (beta - alpha) * Philox.UniformDouble(w0, w1);
                        vals[1] = alpha + (beta - alpha) * Philox.UniformDouble(w2, w3);
                        break;
                    case (RandomKind.Uniform, _, _):
                        vals[0] = alpha + (beta - alpha) * Philox.UniformFloat(w0);
                        vals[1] = alpha + (beta - alpha) * Philox.UniformFloat(w1);
                        vals[2] = alpha + (beta - alpha) * Philox.UniformFloat(w2);
                        vals[3] = alpha + (beta - alpha) * Philox.UniformFloat(w3);
                        break;
                    case (RandomKind.Normal, DType.Float64, _):
                        vals[0] = alpha + beta * BoxMuller(Philox.UniformDouble(w0, w1) + 1.0 / 9007199254740992.0, Philox.UniformDouble(w2, w3));
                        break;
                    case (RandomKind.Normal, _, _):
                        vals[0] = alpha + beta * BoxMuller(Philox.UniformFloat(w0) + 1.0 / 16777216.0, Philox.UniformFloat(w1));
                        vals[1] = alpha + beta * BoxMuller(Philox.UniformFloat(w2) + 1.0 / 16777216.0, Philox.UniformFloat(w3));
                        break;
                    default:
                        var range = (ulong)(beta - alpha);
                        vals[0] = alpha + (double)(((ulong)w0 * range) >> 32);
                        vals[1] = alpha + (double)(((ulong)w1 * range) >> 32);
                        vals[2] = alpha + (double)(((ulong)w2 * range) >> 32);
                        vals[3] = alpha + (double)(((ulong)w3 * range) >> 32);
                        break;
                }
                var first = blk * perBlock;
                var count = Math.Min(perBlock, y.Numel - first);
                Store(y, first, vals[..count]);
            }
        });
    }

    /// <summary>One normal deviate from u1 in (0, 1] and u2 in [0, 1) (cosine branch only, so each draw maps to
    /// fixed words of the stream).</summary>
    private static double BoxMuller(double u1, double u2) => Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);

    private static void Store(Tensor y, int first, ReadOnlySpan<double> vals)
    {
        var at = y.Offset + first;
        switch (y.DType)
        {
            case DType.Float32:
                var f = Buffer<float>(y);
                for (var i = 0; i < vals.Length; i++) f[at + i] = (float)vals[i];
                break;
            case DType.Float64:
                var d = Buffer<double>(y);
                for (var i = 0; i < vals.Length; i++) d[at + i] = vals[i];
                break;
            case DType.Int32:
                var n = Buffer<int>(y);
                for (var i = 0; i < vals.Length; i++) n[at + i] = (int)vals[i];
                break;
            case DType.Int64:
                var l = Buffer<long>(y);
                for (var i = 0; i < vals.Length; i++) l[at + i] = (long)vals[i];
                break;
            default:
                ThrowUnsupported("Random", y.DType);
                break;
        }
    }
}
