using Engine.Data;
using Engine.Nn;
using Engine.Optim;

namespace Engine.Lab.Experiments;

/// <summary>Progress of an experiment: the stage ("train" after every batch, "codes" when a measurement starts,
/// "measured" with its <see cref="Measurement"/>), the epoch, and within training the batch and mean loss.</summary>
public readonly record struct CodesProgress(string Stage, int Epoch, int Epochs, int Batch, int Batches, double Loss, CodesMeasurement? Measurement = null);

/// <summary>The reference's training recipe: Adam (lr, L2 weight decay), StepLR x0.1 every
/// <see cref="CodesOptions.LrStepEpochs"/> epochs, cross-entropy, seeded shuffled batches.</summary>
internal static class ReferenceTraining
{
    /// <summary>Trains for <see cref="CodesOptions.Epochs"/> epochs, calling <paramref name="onCheckpoint"/> with
    /// the epoch number at epoch 0 (before training) if asked and after every measured epoch.</summary>
    /// <exception cref="OperationCanceledException">Cancelled; checked after every batch.</exception>
    public static void Train(
        Module<Tensor, Tensor> model, LabeledTable train, CodesOptions options, Action<int> onCheckpoint,
        IProgress<CodesProgress>? progress, CancellationToken cancellation)
    {
        var measured = options.MeasuredEpochs();
        if (measured.Contains(0)) onCheckpoint(0);
        if (options.Epochs == 0) return;
        var optimizer = new Adam(model.Parameters(), options.Lr, weightDecay: options.WeightDecay);
        var schedule = new StepLR(optimizer, options.LrStepEpochs, gamma: 0.1);
        // A last batch of one sample cannot be batch-normalised in training mode; drop it only in that case.
        var dropLast = train.Samples % options.BatchSize == 1;
        var loader = new DataLoader(train.ToDataset(), options.BatchSize, shuffle: true, generator: new Generator(options.Seed + 1), dropLast: dropLast);
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            model.Train();
            var batch = 0;
            double lossSum = 0;
            foreach (var (input, target) in loader.Batches(cancellation))
            {
                using (TensorScope.Enter())
                {
                    var loss = Losses.CrossEntropy(model.Forward(input), target);
                    optimizer.ZeroGrad();
                    loss.Backward();
                    optimizer.Step();
                    lossSum += loss.Item();
                }
                input.Dispose();
                target.Dispose();
                batch++;
                progress?.Report(new CodesProgress("train", epoch, options.Epochs, batch, loader.Count, lossSum / batch));
                cancellation.ThrowIfCancellationRequested();
            }
            schedule.Step();
            if (measured.Contains(epoch)) onCheckpoint(epoch);
        }
    }
}
