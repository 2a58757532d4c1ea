namespace Engine.Lab.Experiments;

/// <summary>The codes of a trained network measured at one epoch. Accuracies are fractions in [0, 1].</summary>
/// <param name="RedundancyTrain">(N - distinct codes) / N over the training codes.</param>
/// <param name="RedundancyTest">The same over the test codes.</param>
/// <param name="RedundancyNoise">The control: the same over the codes of uniform-noise inputs.</param>
/// <param name="KnnAccuracy">K-NN (Hamming) fit on the training codes, scored on the test codes.</param>
/// <param name="KmeansAccuracy">K-Means (k = classes) on the test codes, clusters mapped to labels greedily (the
/// reference's mapping: each cluster to its majority label).</param>
/// <param name="KmeansAccuracyHungarian">The same clusters under the best one-to-one mapping.</param>
/// <param name="KmeansTrainAccuracy">K-Means on the (analysis subset of the) training codes, greedy mapping.</param>
/// <param name="LogregAccuracy">Multinomial logistic regression fit on the training codes, scored on the test codes.</param>
/// <param name="LogregOvoAccuracy">One-vs-one logistic regression (the reference's), when asked for.</param>
/// <param name="CodeBits">Bits per code after dropping the columns constant over train and test.</param>
public sealed record CodesMeasurement(
    int Epoch, double RedundancyTrain, double RedundancyTest, double RedundancyNoise,
    double KnnAccuracy, double KmeansAccuracy, double KmeansAccuracyHungarian, double KmeansTrainAccuracy,
    double LogregAccuracy, double? LogregOvoAccuracy,
    double NetworkTrainAccuracy, double NetworkValidationAccuracy, double NetworkTestAccuracy,
    int CodeBits, int TotalBits, int TrainSamples, int TestSamples, double Seconds);

/// <summary>An experiment's outcome: one measurement per measured epoch (ascending; the last is the final one).</summary>
public sealed record CodesResult(CodesOptions Options, IReadOnlyList<CodesMeasurement> Checkpoints, double Seconds)
{
    public CodesMeasurement Final => Checkpoints[^1];
}
