namespace Engine.Lab.Convex;

/// <summary>A convex two-layer ReLU program: minimise loss(sum_i D_i X (u_i - z_i), y) + beta * sum_i
/// (||u_i||_2 + ||z_i||_2) subject to (2 D_i - I) X u_i &gt;= 0 and (2 D_i - I) X z_i &gt;= 0, with the patterns
/// D_i of <see cref="Patterns"/> and the loss of <see cref="ConvexObjective"/>. X is float64 [n, d] (a bias
/// column appended by the caller when wanted), Y float64 [n] (labels in {-1, +1} for the logistic loss).</summary>
/// <remarks>A class, not a record: a record's <c>with</c> expression would copy the validated fields and then set
/// new ones without running the validation.</remarks>
public sealed class ConvexProblem
{
    public ConvexProblem(Tensor X, Tensor Y, PatternSet Patterns, double Beta, ConvexLoss Loss)
    {
        Samples = Validate(X, Y, Patterns, Beta, Loss);
        this.X = X;
        this.Y = Y;
        this.Patterns = Patterns;
        this.Beta = Beta;
        this.Loss = Loss;
    }

    public Tensor X { get; }

    public Tensor Y { get; }

    public PatternSet Patterns { get; }

    public double Beta { get; }

    public ConvexLoss Loss { get; }

    /// <summary>n, the number of samples (checked at construction, so solvers and metrics can trust the shapes).</summary>
    public int Samples { get; }

    /// <summary>d, the number of input columns (bias column included).</summary>
    public int Features => X.Shape[1];

    private static int Validate(Tensor x, Tensor y, PatternSet patterns, double beta, ConvexLoss loss)
    {
        var (n, d) = PatternSet.CheckData(x, "ConvexProblem");
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(patterns);
        if (y.DType != DType.Float64 || y.Rank != 1 || y.Shape[0] != n)
            throw new ArgumentException($"ConvexProblem: Y must be float64 [n] with n = {n}; got {y.DType} {Shape.Format(y.Shape.ToArray())}");
        if (patterns.Masks.Shape[0] != n || patterns.Gates.Shape[0] != d)
            throw new ArgumentException(
                $"ConvexProblem: the patterns were built for a different X: masks {Shape.Format(patterns.Masks.Shape.ToArray())} and gates {Shape.Format(patterns.Gates.Shape.ToArray())} for X of shape {Shape.Format(x.Shape.ToArray())}");
        if (patterns.Count == 0) throw new ArgumentException("ConvexProblem: the pattern set is empty");
        if (!(beta >= 0) || !double.IsFinite(beta)) throw new ArgumentException($"ConvexProblem: Beta must be finite and >= 0; got {beta}");
        if (!Enum.IsDefined(loss)) throw new ArgumentException($"ConvexProblem: unknown loss {loss}");
        if (loss == ConvexLoss.Logistic && y.ToArray<double>().Any(v => v is not (1.0 or -1.0)))
            throw new ArgumentException("ConvexProblem: the logistic loss needs labels in {-1, +1}");
        return n;
    }
}
