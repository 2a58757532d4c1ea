using Engine.Nn;
using Engine.Optim;

namespace Engine.Lab.Analysis;

/// <summary>How a logistic regression handles more than two classes.</summary>
public enum LogisticMode
{
    /// <summary>One softmax model over all classes.</summary>
    Multinomial,

    /// <summary>A binary model per pair of classes, fit on that pair's samples, predictions by votes (the reference's
    /// scikit-learn OneVsOneClassifier).</summary>
    OneVsOne,
}

public static partial class CodeCategorization
{
    /// <summary>Logistic regression on the codes (0/1 features), trained with the engine: zero initial weights,
    /// minibatch Adam (<paramref name="batchSize"/> at or above the train rows is full-batch) with a cosine-decayed
    /// learning rate, and an L2 penalty on the weights. Returns the predicted class of each test row.</summary>
    /// <param name="seed">Draws the minibatch order (the model starts at zero, so this is the only randomness).</param>
    /// <param name="weightDecay">L2 strength λ, the objective being each model's mean loss + λ/2 ||w||^2; null gives
    /// λ = 1 / (the model's training samples), scikit-learn's default C = 1.</param>
    /// <remarks>One-vs-one trains all class pairs at once as columns of one weight matrix: each minibatch row adds
    /// the binary loss of the pairs that contain its class, weighted so that each pair's objective is its own mean
    /// loss; prediction follows scikit-learn's OneVsOneClassifier (votes, ties broken by the summed confidences
    /// squashed into (-1/3, 1/3), then by the lower class).</remarks>
    public static int[] LogisticRegressionPredict(
        CodeMatrix train, int[] trainLabels, CodeMatrix test, int classes, LogisticMode mode = LogisticMode.Multinomial, ulong seed = 0,
        int epochs = 100, int batchSize = 256, double learningRate = 0.01, double? weightDecay = null)
    {
        const string op = "CodeCategorization.LogisticRegressionPredict";
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(trainLabels);
        ArgumentNullException.ThrowIfNull(test);
        if (trainLabels.Length != train.Rows)
            throw new ArgumentException($"{op}: {trainLabels.Length} train labels for {train.Rows} train rows; expected one per row");
        if (train.Bits != test.Bits)
            throw new ArgumentException($"{op}: train codes have {train.Bits} bits but test codes have {test.Bits}; expected the same");
        if (train.Rows == 0) throw new ArgumentException($"{op}: no train rows");
        if (classes < 2) throw new ArgumentException($"{op}: expected at least 2 classes; got {classes}");
        if (trainLabels.Any(l => (uint)l >= (uint)classes))
            throw new ArgumentException($"{op}: labels must lie in [0, {classes}); got {trainLabels.First(l => (uint)l >= (uint)classes)}");
        if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || weightDecay < 0)
            throw new ArgumentException(
                $"{op}: expected epochs >= 1, batchSize >= 1, learningRate > 0, weightDecay >= 0; got {epochs}, {batchSize}, {learningRate}, {weightDecay}");

        using var scope = TensorScope.Enter();
        var objective = mode switch
        {
            LogisticMode.Multinomial => (LinearObjective)new MultinomialObjective(classes),
            LogisticMode.OneVsOne => new OneVsOneObjective(classes, trainLabels),
            _ => throw new ArgumentException($"{op}: unknown mode {mode}"),
        };
        var weights = Tensor.Zeros([train.Bits, objective.Outputs], DType.Float32, requiresGrad: true);
        var bias = Tensor.Zeros([objective.Outputs], DType.Float32, requiresGrad: true);
        var penalty = Tensor.FromArray(objective.Penalty(weightDecay, train.Rows));
        var optimizer = new Adam([weights, bias], lr: learningRate);
        var generator = new Generator(seed);
        var order = Enumerable.Range(0, train.Rows).ToArray();
        var batch = Math.Min(batchSize, train.Rows);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            optimizer.ParamGroups[0].Lr = learningRate * 0.5 * (1 + Math.Cos(Math.PI * epoch / epochs));
            Shuffle(order, generator);
            for (var start = 0; start < train.Rows; start += batch)
            {
                using var step = TensorScope.Enter();
                var rows = order.AsSpan(start, Math.Min(batch, train.Rows - start)).ToArray();
                var logits = Gather(train, rows).Matmul(weights) + bias;
                var loss = objective.Loss(logits, [.. rows.Select(i => trainLabels[i])], train.Rows)
                    + (weights.Square() * penalty).Sum() * 0.5;
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }
        }

        var predictions = new int[test.Rows];
        using (Autograd.NoGrad())
        {
            for (var start = 0; start < test.Rows; start += 4096)
            {
                using var step = TensorScope.Enter();
                var count = Math.Min(4096, test.Rows - start);
                var logits = (Tensor.Wrap(test.ToFloats(start, count), count, test.Bits).Matmul(weights) + bias).ToArray<float>();
                for (var i = 0; i < count; i++) predictions[start + i] = objective.Predict(logits.AsSpan(i * objective.Outputs, objective.Outputs));
            }
        }
        return predictions;
    }

    private static void Shuffle(int[] order, Generator generator)
    {
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = generator.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private static Tensor Gather(CodeMatrix codes, int[] rows)
    {
        var values = new float[rows.Length * codes.Bits];
        for (var r = 0; r < rows.Length; r++) codes.RowToFloats(rows[r], values.AsSpan(r * codes.Bits, codes.Bits));
        return Tensor.Wrap(values, rows.Length, codes.Bits);
    }

    /// <summary>A family of linear models sharing one weight matrix [bits, Outputs]: its loss and its prediction rule.</summary>
    private abstract class LinearObjective
    {
        public abstract int Outputs { get; }

        /// <summary>Per-output L2 strength: <paramref name="weightDecay"/>, else 1 / (the output's training samples).</summary>
        public abstract float[] Penalty(double? weightDecay, int trainRows);

        /// <summary>An unbiased minibatch estimate of the summed per-model mean losses.</summary>
        public abstract Tensor Loss(Tensor logits, int[] labels, int trainRows);

        public abstract int Predict(ReadOnlySpan<float> logits);
    }

    private sealed class MultinomialObjective(int classes) : LinearObjective
    {
        public override int Outputs => classes;

        public override float[] Penalty(double? weightDecay, int trainRows) => Enumerable.Repeat((float)(weightDecay ?? 1.0 / trainRows), classes).ToArray();

        public override Tensor Loss(Tensor logits, int[] labels, int trainRows) =>
            Losses.CrossEntropy(logits, Tensor.FromArray(labels.Select(l => (long)l).ToArray()));

        public override int Predict(ReadOnlySpan<float> logits)
        {
            var best = 0;
            for (var c = 1; c < logits.Length; c++)
                if (logits[c] > logits[best]) best = c;
            return best;
        }
    }

    /// <summary>Pair p = (low, high), low &lt; high, in lexicographic order; its model predicts P(high).</summary>
    private sealed class OneVsOneObjective : LinearObjective
    {
        private readonly int classes;
        private readonly (int Low, int High)[] pairs;
        private readonly int[] pairSamples;

        public OneVsOneObjective(int classes, int[] trainLabels)
        {
            this.classes = classes;
            pairs = [.. Enumerable.Range(0, classes).SelectMany(a => Enumerable.Range(a + 1, classes - a - 1).Select(b => (a, b)))];
            var perClass = new int[classes];
            foreach (var l in trainLabels) perClass[l]++;
            pairSamples = [.. pairs.Select(p => perClass[p.Low] + perClass[p.High])];
        }

        public override int Outputs => pairs.Length;

        public override float[] Penalty(double? weightDecay, int trainRows) =>
            [.. pairSamples.Select(n => (float)(weightDecay ?? (n > 0 ? 1.0 / n : 0)))];

        public override Tensor Loss(Tensor logits, int[] labels, int trainRows)
        {
            // Row i counts for pair p when its class is in the pair, with weight trainRows / (pair samples * batch):
            // over an epoch that averages each pair's loss over its own samples.
            var target = new float[labels.Length * pairs.Length];
            var weight = new float[labels.Length * pairs.Length];
            for (var i = 0; i < labels.Length; i++)
                for (var p = 0; p < pairs.Length; p++)
                    if (labels[i] == pairs[p].Low || labels[i] == pairs[p].High)
                    {
                        target[i * pairs.Length + p] = labels[i] == pairs[p].High ? 1 : 0;
                        weight[i * pairs.Length + p] = (float)((double)trainRows / ((double)pairSamples[p] * labels.Length));
                    }
            return Losses.BceWithLogits(logits, Tensor.Wrap(target, labels.Length, pairs.Length),
                Tensor.Wrap(weight, labels.Length, pairs.Length), reduction: Reduction.Sum);
        }

        public override int Predict(ReadOnlySpan<float> logits)
        {
            Span<double> votes = stackalloc double[classes];
            Span<double> confidence = stackalloc double[classes];
            for (var p = 0; p < pairs.Length; p++)
            {
                var (low, high) = pairs[p];
                votes[logits[p] > 0 ? high : low]++;
                confidence[low] -= logits[p];
                confidence[high] += logits[p];
            }
            var best = 0;
            var bestScore = double.NegativeInfinity;
            for (var c = 0; c < classes; c++)
            {
                var score = votes[c] + confidence[c] / (3 * (Math.Abs(confidence[c]) + 1));
                if (score > bestScore) (best, bestScore) = (c, score);
            }
            return best;
        }
    }
}
