namespace Engine.Data;

/// <summary>Per-feature standardisation x' = (x - mean) / std, with mean and std fitted on the training split only
/// and then applied unchanged to every split (so no statistic of the test data leaks into training).</summary>
public sealed class Standardizer
{
    /// <summary>A standardiser with given statistics (e.g. restored from a checkpoint), each shaped like one sample.</summary>
    public Standardizer(Tensor mean, Tensor std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (!mean.Shape.SequenceEqual(std.Shape))
            throw new ArgumentException($"Standardizer: mean {Shape.Format(mean.Shape)} and std {Shape.Format(std.Shape)} must have one shape");
        Mean = mean;
        Std = std;
    }

    /// <summary>The fitted mean, shaped like one sample.</summary>
    public Tensor Mean { get; }

    /// <summary>The fitted standard deviation (population, as scikit-learn's StandardScaler), floored at the
    /// <c>stdFloor</c> given to <see cref="Fit(Tensor, double)"/> (below it, 1); shaped like one sample.</summary>
    public Tensor Std { get; }

    /// <summary>Fits on <paramref name="train"/> [samples, ...], each feature (position after dim 0) on its own.
    /// Statistics are accumulated in Float64 and stored in the features' dtype. A feature whose std is below
    /// <paramref name="stdFloor"/> (a constant pixel, say) is only centred (divided by 1), as scikit-learn does.</summary>
    public static Standardizer Fit(Tensor train, double stdFloor = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Rank < 1 || train.Size(0) == 0 || !train.DType.IsFloatingPoint())
            throw new ArgumentException($"Standardizer.Fit: needs floating-point features [samples, ...] with at least one sample; got {train.DType} {Shape.Format(train.Shape)}");
        if (!(stdFloor > 0))
            throw new ArgumentOutOfRangeException(nameof(stdFloor), $"Standardizer.Fit: stdFloor must be positive; got {stdFloor}");
        using (Autograd.NoGrad())
        {
            var x = train.To(DType.Float64);
            var mean = x.Mean(0);
            // A (nearly) constant feature keeps its scale (std 1, as scikit-learn's StandardScaler): dividing by a tiny
            // floor would blow up any test value that differs from the training constant.
            var raw = x.Var(0, correction: 0).Sqrt();
            var std = Tensor.Where(raw.Lt(stdFloor), Tensor.OnesLike(raw), raw);
            return new Standardizer(mean.To(train.DType), std.To(train.DType));
        }
    }

    /// <summary>Fits on a training table's features.</summary>
    public static Standardizer Fit(LabeledTable train, double stdFloor = 1e-6) => Fit(train.Features, stdFloor);

    /// <summary>(x - Mean) / Std for features [samples, ...] shaped like the training features.</summary>
    public Tensor Transform(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank != Mean.Rank + 1 || !features.Shape[1..].SequenceEqual(Mean.Shape))
            throw new ArgumentException(
                $"Standardizer.Transform: features {Shape.Format(features.Shape)} do not match the fitted sample shape {Shape.Format(Mean.Shape)}; expected (samples,{string.Join(",", Mean.Shape.ToArray())})");
        return (features - Mean) / Std;
    }

    /// <summary>The table with standardised features.</summary>
    public LabeledTable Transform(LabeledTable table) => table with { Features = Transform(table.Features) };
}
