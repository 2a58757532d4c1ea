using System.Diagnostics;
using Engine.Data;
using Engine.Lab.Analysis;
using Engine.Nn;
using Engine.Training;

namespace Engine.Lab.Experiments;

/// <summary>"Neural networks behave as hash encoders" (He, Lei, Ji, Tao 2021) for one configuration: trains the
/// reference MLP with the reference recipe and, at each measured epoch, takes the binary ReLU activation codes of the
/// training, test and uniform-noise inputs and measures how well they hash (redundancy) and how well they categorise
/// (K-NN, K-Means, logistic regression on the codes), next to the network's own accuracy.</summary>
public static class CodesExperiment
{
    public static CodesResult Run(CodesOptions options, IProgress<CodesProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        var data = CodesData.Load(options);
        var model = ReferenceMlp.Create(data.Features, options.Width, options.Depth, data.Classes, options.Dropout, new Generator(options.Seed));
        var measurements = new List<CodesMeasurement>();
        ReferenceTraining.Train(model, data.Train, options, epoch =>
        {
            progress?.Report(new CodesProgress("codes", epoch, options.Epochs, 0, 0, double.NaN));
            var measurement = Measure(model, data, options, epoch, cancellation);
            measurements.Add(measurement);
            progress?.Report(new CodesProgress("measured", epoch, options.Epochs, 0, 0, double.NaN, measurement));
        }, progress, cancellation);
        return new CodesResult(options, measurements, clock.Elapsed.TotalSeconds);
    }

    private static CodesMeasurement Measure(Module<Tensor, Tensor> model, CodesData data, CodesOptions options, int epoch, CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var trainLabels = Labels(data.Train);
        var testLabels = Labels(data.Test);
        var rawTrain = ActivationCodes.Collect(model, data.Train.Features).Codes;
        var rawTest = ActivationCodes.Collect(model, data.Test.Features).Codes;
        var noise = Tensor.Rand([options.NoiseSamples, data.Features], DType.Float32, new Generator(options.Seed + 202));
        var noiseCodes = ActivationCodes.Collect(model, noise).Codes;
        var (train, test) = ActivationCodes.DropConstantColumns(rawTrain, rawTest);
        cancellation.ThrowIfCancellationRequested();

        var knn = CodeCategorization.Accuracy(CodeCategorization.KnnPredict(train, trainLabels, test, options.KnnK), testLabels);
        var testClusters = CodeCategorization.KMeans(test, data.Classes, options.Seed).Assignments;
        var (subset, subsetLabels) = AnalysisSubset(train, trainLabels, options);
        var trainClusters = CodeCategorization.KMeans(subset, data.Classes, options.Seed).Assignments;
        cancellation.ThrowIfCancellationRequested();
        var logreg = CodeCategorization.Accuracy(
            CodeCategorization.LogisticRegressionPredict(subset, subsetLabels, test, data.Classes, LogisticMode.Multinomial, options.Seed, options.LogregEpochs), testLabels);
        double? logregOvo = options.LogregOneVsOne
            ? CodeCategorization.Accuracy(
                CodeCategorization.LogisticRegressionPredict(subset, subsetLabels, test, data.Classes, LogisticMode.OneVsOne, options.Seed, options.LogregEpochs), testLabels)
            : null;

        return new CodesMeasurement(
            Epoch: epoch,
            RedundancyTrain: ActivationCodes.RedundancyRatio(train),
            RedundancyTest: ActivationCodes.RedundancyRatio(test),
            RedundancyNoise: ActivationCodes.RedundancyRatio(noiseCodes),
            KnnAccuracy: knn,
            KmeansAccuracy: CodeCategorization.ClusterAccuracyGreedy(testClusters, testLabels, data.Classes, data.Classes),
            KmeansAccuracyHungarian: CodeCategorization.ClusterAccuracyHungarian(testClusters, testLabels, data.Classes, data.Classes),
            KmeansTrainAccuracy: CodeCategorization.ClusterAccuracyGreedy(trainClusters, subsetLabels, data.Classes, data.Classes),
            LogregAccuracy: logreg,
            LogregOvoAccuracy: logregOvo,
            NetworkTrainAccuracy: Trainer.Evaluate(model, data.Train).Accuracy,
            NetworkValidationAccuracy: Trainer.Evaluate(model, data.Validation).Accuracy,
            NetworkTestAccuracy: Trainer.Evaluate(model, data.Test).Accuracy,
            CodeBits: train.Bits,
            TotalBits: rawTrain.Bits,
            TrainSamples: data.Train.Samples,
            TestSamples: data.Test.Samples,
            Seconds: clock.Elapsed.TotalSeconds);
    }

    private static int[] Labels(LabeledTable table) => table.Labels.ToArray<long>().Select(l => (int)l).ToArray();

    /// <summary>The training codes for K-Means and logistic regression: a seeded random subset of
    /// <see cref="CodesOptions.AnalysisSamples"/> rows (random rather than the first rows, so a subset of a training
    /// part that is ordered in any way stays representative), or all of them.</summary>
    private static (CodeMatrix Codes, int[] Labels) AnalysisSubset(CodeMatrix codes, int[] labels, CodesOptions options)
    {
        if (options.AnalysisSamples is not { } n || n >= codes.Rows) return (codes, labels);
        var rows = Tensor.RandPerm(codes.Rows, new Generator(options.Seed + 303)).ToArray<long>().Take(n).Order().ToArray();
        var subset = new CodeMatrix(n, codes.Bits);
        var words = codes.WordsPerRow;
        for (var i = 0; i < n; i++)
            Array.Copy(codes.Words, rows[i] * words, subset.Words, (long)i * words, words);
        return (subset, rows.Select(r => labels[r]).ToArray());
    }
}
