namespace Engine.Optim;

/// <summary>Annealed Gaussian gradient noise (Neelakantan et al. 2015, "Adding Gradient Noise Improves Learning for
/// Very Deep Networks"): g = g + N(0, σ_t²) with σ_t² = η / (1 + t)^γ, t the global step counted from 0.</summary>
/// <remarks>Order in a training step: backward, then clipping (<see cref="GradClip"/>), then this noise, then the
/// update. Set it on an optimizer (<see cref="Optimizer.GradientNoise"/>) to have <see cref="Optimizer.Step"/> apply
/// it first, or call <see cref="Apply"/> yourself right before the update. The noise comes from this object's own
/// generator, drawn parameter by parameter in order, so a seed reproduces it exactly.</remarks>
public sealed class GradientNoise
{
    /// <param name="eta">η, the noise variance at step 0 (the paper uses 0.01, 0.3 or 1.0).</param>
    /// <param name="gamma">γ, the decay exponent (0.55 in the paper).</param>
    /// <param name="seed">Seed of the noise's own generator.</param>
    public GradientNoise(double eta, double gamma = 0.55, ulong seed = 0)
    {
        if (!(eta >= 0)) throw new ArgumentException($"GradientNoise: eta must be non-negative; got {eta}");
        if (!(gamma >= 0)) throw new ArgumentException($"GradientNoise: gamma must be non-negative; got {gamma}");
        Eta = eta;
        Gamma = gamma;
        Generator = new Generator(seed);
    }

    public double Eta { get; }

    public double Gamma { get; }

    /// <summary>The global step t of the next <see cref="Apply"/> (settable to resume).</summary>
    public long Step { get; set; }

    /// <summary>The noise's generator (its offset is part of what a resumed run must restore).</summary>
    public Generator Generator { get; }

    /// <summary>σ_t = sqrt(η / (1 + t)^γ), the noise's standard deviation at step t.</summary>
    public double StdAt(long t) => Math.Sqrt(Eta / Math.Pow(1 + t, Gamma));

    /// <summary>Adds N(0, σ_t²) noise to the gradient of every parameter that has one, in place, and advances t.</summary>
    public void Apply(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var std = StdAt(Step);
        using (Autograd.NoGrad())
        {
            foreach (var p in parameters)
                if (p.Grad is { } g)
                    g.Add_(Tensor.Randn(g.Shape.ToArray(), g.DType, Generator, g.Device), std);
        }
        Step++;
    }
}
