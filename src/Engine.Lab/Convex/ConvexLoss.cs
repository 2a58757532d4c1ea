namespace Engine.Lab.Convex;

/// <summary>The data term of the convex programs and of the recovered network (see <see cref="ConvexObjective"/>).</summary>
public enum ConvexLoss
{
    /// <summary>0.5 * ||r - y||^2 with real targets y.</summary>
    Squared,

    /// <summary>sum_k log(1 + exp(-y_k r_k)) with labels y in {-1, +1}.</summary>
    Logistic,
}
