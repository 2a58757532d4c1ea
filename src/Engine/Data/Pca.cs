namespace Engine.Data;

/// <summary>Principal component analysis: the top eigenvectors of the training features' covariance, from
/// <see cref="Linalg.Eigh"/> (the engine's own symmetric eigensolver). <see cref="Transform"/> centres with the
/// training mean and projects, so test data is mapped with training statistics only.</summary>
public sealed class Pca
{
    private Pca(Tensor mean, Tensor components, Tensor explainedVariance, double totalVariance)
    {
        Mean = mean;
        Components = components;
        ExplainedVariance = explainedVariance;
        TotalVariance = totalVariance;
    }

    /// <summary>The training mean, float64 [features].</summary>
    public Tensor Mean { get; }

    /// <summary>float64 [features, components]: unit columns by decreasing variance, each signed so that its entry
    /// of largest magnitude is positive (eigenvectors are defined up to sign; this makes fits reproducible).</summary>
    public Tensor Components { get; }

    /// <summary>The variance along each component (the covariance's eigenvalues, divisor n - 1), float64 [components].</summary>
    public Tensor ExplainedVariance { get; }

    /// <summary>The trace of the covariance: the total variance of the training features.</summary>
    public double TotalVariance { get; }

    public int ComponentCount => Components.Size(1);

    /// <summary>The fraction of the total variance the kept components explain.</summary>
    public double ExplainedFraction => TotalVariance > 0 ? ExplainedVariance.Sum().Item() / TotalVariance : 0;

    /// <summary>Fits on <paramref name="x"/> [samples, features] (any floating dtype; computed in float64).</summary>
    /// <exception cref="ArgumentException">x is not a matrix with at least two samples, or the component count is not
    /// in 1..features.</exception>
    public static Pca Fit(Tensor x, int components)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Size(0) < 2 || !x.DType.IsFloatingPoint())
            throw new ArgumentException($"Pca.Fit: needs floating-point features [samples, features] with at least 2 samples; got {x.DType} {Shape.Format(x.Shape)}");
        var features = x.Size(1);
        if (components < 1 || components > features)
            throw new ArgumentOutOfRangeException(nameof(components), $"Pca.Fit: components must be in 1..{features} for features {Shape.Format(x.Shape)}; got {components}");
        using var _ = Autograd.NoGrad();
        var data = x.To(DType.Float64);
        var mean = data.Mean(0);
        var centred = data - mean;
        var covariance = centred.T.Matmul(centred) / (x.Size(0) - 1);
        var (values, vectors) = Linalg.Eigh(covariance);
        // Eigh sorts ascending: the last columns carry the most variance.
        var order = Tensor.Arange(features - 1, features - 1 - components, -1, DType.Int64);
        var top = vectors.IndexSelect(1, order).Contiguous();
        var variance = values.IndexSelect(0, order).Clamp(min: 0).Contiguous();
        return new Pca(mean, FixSigns(top), variance, centred.Square().Sum().Item() / (x.Size(0) - 1));
    }

    /// <summary>(x - Mean) Components: [samples, components] in float64.</summary>
    public Tensor Transform(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Size(1) != Mean.Size(0))
            throw new ArgumentException($"Pca.Transform: features {Shape.Format(x.Shape)} do not match the fitted (samples,{Mean.Size(0)})");
        using var _ = Autograd.NoGrad();
        return (x.To(DType.Float64) - Mean).Matmul(Components);
    }

    private static Tensor FixSigns(Tensor vectors)
    {
        var v = vectors.ToArray<double>();
        int rows = vectors.Size(0), cols = vectors.Size(1);
        for (var c = 0; c < cols; c++)
        {
            var largest = 0;
            for (var r = 1; r < rows; r++)
                if (Math.Abs(v[r * cols + c]) > Math.Abs(v[largest * cols + c])) largest = r;
            if (v[largest * cols + c] >= 0) continue;
            for (var r = 0; r < rows; r++) v[r * cols + c] = -v[r * cols + c];
        }
        return Tensor.FromArray(v, rows, cols);
    }
}
