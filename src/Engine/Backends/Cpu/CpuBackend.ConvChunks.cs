using System.Numerics;
using System.Numerics.Tensors;

namespace Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>The chunk loop of one im2col convolution call: the two scratch matrices (the column matrix
    /// [C*KH*KW, count*L] and the wide output [O, count*L]), the current chunk of images, and the parallel bodies
    /// that move data between the images and the scratch. Bodies and GEMM views are made once per call (the views
    /// again only when the chunk size changes, for a shorter last chunk) and read the current chunk from fields, so
    /// a call allocates a fixed handful of objects however many chunks it runs.</summary>
    private sealed class ChunkLoop<T> : IDisposable
        where T : unmanaged, INumberBase<T>
    {
        private readonly ConvGeometry g;
        private readonly Im2Col.Tap[] taps;
        private readonly int chunk;
        private readonly CpuScratch<T> cols, wide;

        /// <summary>The images (x, or gx for the input gradient) and the outputs (y, or gy for the gradients).</summary>
        private readonly Tensor images, outputs;
        private readonly Tensor? bias;

        private Action<int, int>? pack, unpack, toWide, fromWide;
        private int n0, count;
        private int viewCount = -1;
        private Tensor? colsView, wideView, colsTransposed;

        public ChunkLoop(in ConvGeometry g, Tensor images, Tensor outputs, Tensor? bias)
        {
            this.g = g;
            this.images = images;
            this.outputs = outputs;
            this.bias = bias;
            taps = Im2Col.Taps(g);
            chunk = ChunkImages<T>(g);
            cols = new CpuScratch<T>(g.C * g.Taps * chunk * g.L);
            wide = new CpuScratch<T>(g.O * chunk * g.L);
        }

        /// <summary>Moves to the next chunk of images; false when every image was handled.</summary>
        public bool Next()
        {
            n0 += count;
            if (n0 >= g.N) return false;
            count = Math.Min(chunk, g.N - n0);
            return true;
        }

        /// <summary>The column matrix as [G, Kg, count*L].</summary>
        public Tensor ColsView => Views().Cols;

        /// <summary>The column matrix transposed, [G, count*L, Kg] (the weight gradient's right operand).</summary>
        public Tensor ColsTransposedView => Views().ColsT;

        /// <summary>The wide output as [G, Og, count*L].</summary>
        public Tensor WideView => Views().Wide;

        /// <summary>Unfolds the chunk's images into the column matrix, one (image, channel) pair per work item.</summary>
        public void PackImages() => CpuParallel.For(count * g.C, (long)g.Taps * g.L, pack ??= PackRange);

        /// <summary>Folds the column matrix back into the chunk's images (which it overwrites).</summary>
        public void UnpackImages() => CpuParallel.For(count * g.C, (long)g.Taps * g.L, unpack ??= UnpackRange);

        /// <summary>The chunk's output (gradient) rows of the dense [N, O, L] outputs into the wide layout.</summary>
        public void ToWide() => CpuParallel.For(count * g.O, g.L, toWide ??= ToWideRange);

        /// <summary>The inverse of <see cref="ToWide"/>, adding the bias on the way.</summary>
        public void FromWide() => CpuParallel.For(count * g.O, g.L, fromWide ??= FromWideRange);

        private (Tensor Cols, Tensor ColsT, Tensor Wide) Views()
        {
            if (viewCount != count)
            {
                DisposeViews();
                var length = count * g.L;
                colsView = cols.View(g.Groups, g.Kg, length);
                colsTransposed = colsView.AsStrided([g.Groups, length, g.Kg], [g.Kg * length, 1, length], 0);
                wideView = wide.View(g.Groups, g.Og, length);
                viewCount = count;
            }
            return (colsView!, colsTransposed!, wideView!);
        }

        private void PackRange(int q0, int q1)
        {
            var ld = count * g.L;
            var xs = Dense<T>(images);
            for (var q = q0; q < q1; q++)
            {
                var (b, c) = Math.DivRem(q, g.C);
                var plane = xs.Slice((n0 + b) * g.ImageSize + c * g.Plane, g.Plane);
                Im2Col.Pack<T>(plane, cols.Array.AsSpan(c * g.Taps * ld + b * g.L), ld, taps, g);
            }
        }

        private void UnpackRange(int q0, int q1)
        {
            var ld = count * g.L;
            var gxs = Dense<T>(images);
            for (var q = q0; q < q1; q++)
            {
                var (b, c) = Math.DivRem(q, g.C);
                var plane = gxs.Slice((n0 + b) * g.ImageSize + c * g.Plane, g.Plane);
                plane.Clear();
                Im2Col.Unpack<T>(cols.Array.AsSpan(c * g.Taps * ld + b * g.L), plane, ld, taps, g);
            }
        }

        private void ToWideRange(int r0, int r1)
        {
            var ld = count * g.L;
            var ts = Dense<T>(outputs);
            for (var r = r0; r < r1; r++)
            {
                var (b, o) = Math.DivRem(r, g.O);
                ts.Slice((n0 + b) * g.OutputSize + o * g.L, g.L).CopyTo(wide.Array.AsSpan(o * ld + b * g.L, g.L));
            }
        }

        private void FromWideRange(int r0, int r1)
        {
            var ld = count * g.L;
            var ys = Dense<T>(outputs);
            for (var r = r0; r < r1; r++)
            {
                var (b, o) = Math.DivRem(r, g.O);
                var src = wide.Array.AsSpan(o * ld + b * g.L, g.L);
                var dst = ys.Slice((n0 + b) * g.OutputSize + o * g.L, g.L);
                if (bias is null) src.CopyTo(dst);
                else TensorPrimitives.Add(src, Dense<T>(bias)[o], dst);
            }
        }

        private void DisposeViews()
        {
            colsTransposed?.Dispose();
            colsView?.Dispose();
            wideView?.Dispose();
        }

        public void Dispose()
        {
            DisposeViews();
            cols.Dispose();
            wide.Dispose();
        }
    }
}
