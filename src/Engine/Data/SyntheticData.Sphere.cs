namespace Engine.Data;

public static partial class SyntheticData
{
    /// <summary>Points on the unit sphere S^(dims-1) whose classes differ by the Dirichlet law of their mixing
    /// weights.</summary>
    /// <remarks>
    /// Construction: <paramref name="anchors"/> directions a_1..a_m (m = dims when 0) are drawn uniformly on the
    /// sphere (normalised Gaussian vectors); anchor j belongs to class j mod classes. A sample of class c draws
    /// weights w ~ Dirichlet(alpha) over the anchors with alpha_j = <paramref name="alphaIn"/> for class c's anchors
    /// and <paramref name="alphaOut"/> for the others, and is the projection x = s / |s| of s = sum_j w_j a_j onto
    /// the sphere. With alphaIn &gt; alphaOut a class concentrates around the directions of its own anchors, and the
    /// classes overlap more as the two concentrations approach each other (equal: one distribution for all).
    /// </remarks>
    public static LabeledTable DirichletSphere(int samples, int classes, int dims, int anchors = 0, double alphaIn = 5.0, double alphaOut = 0.5, ulong seed = 0)
    {
        CheckSamples(samples, "DirichletSphere");
        CheckPositive(classes, nameof(classes), "DirichletSphere");
        if (dims < 2) throw new ArgumentOutOfRangeException(nameof(dims), $"DirichletSphere: needs at least 2 dims; got {dims}");
        var m = anchors == 0 ? dims : anchors;
        if (m < classes)
            throw new ArgumentOutOfRangeException(nameof(anchors), $"DirichletSphere: needs at least one anchor per class; got {m} anchors for {classes} classes");
        if (!(alphaIn > 0) || !(alphaOut > 0))
            throw new ArgumentOutOfRangeException(nameof(alphaIn), $"DirichletSphere: concentrations must be positive; got alphaIn {alphaIn}, alphaOut {alphaOut}");

        var gen = new Generator(seed);
        var directions = Tensor.Randn([m, dims], DType.Float64, gen);
        var a = (directions / directions.Norm(2, [1], keepDim: true)).ToArray<double>();
        var counts = ClassCounts(samples, classes, "DirichletSphere");
        var x = new float[samples * dims];
        var y = new long[samples];
        var w = new double[m];
        var s = new double[dims];
        var row = 0;
        for (var c = 0; c < classes; c++)
        {
            for (var i = 0; i < counts[c]; i++, row++)
            {
                double norm;
                do
                {
                    // Dirichlet weights as normalised Gamma draws; the normalisation cancels in the projection.
                    for (var j = 0; j < m; j++) w[j] = Gamma(j % classes == c ? alphaIn : alphaOut, gen);
                    Array.Clear(s);
                    for (var j = 0; j < m; j++)
                        for (var k = 0; k < dims; k++) s[k] += w[j] * a[j * dims + k];
                    norm = Math.Sqrt(s.Sum(v => v * v));
                }
                while (!(norm > 1e-12)); // a mixture that cancels out has no direction: draw again
                for (var k = 0; k < dims; k++) x[row * dims + k] = (float)(s[k] / norm);
                y[row] = c;
            }
        }
        return Shuffled("dirichlet-sphere", x, [dims], y, LabeledTable.NumberedClasses(classes), gen).Table;
    }

    /// <summary>A Gamma(shape, 1) draw: Marsaglia and Tsang's squeeze method ("A simple method for generating gamma
    /// variables", 2000), with Gamma(shape) = Gamma(shape + 1) * U^(1/shape) for shape &lt; 1.</summary>
    internal static double Gamma(double shape, Generator gen)
    {
        if (shape < 1)
            return Gamma(shape + 1, gen) * Math.Pow(1 - gen.NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            var z = Normal(gen);
            var v = 1 + c * z;
            if (v <= 0) continue;
            v = v * v * v;
            var u = 1 - gen.NextDouble();
            if (u < 1 - 0.0331 * z * z * z * z || Math.Log(u) < 0.5 * z * z + d * (1 - v + Math.Log(v)))
                return d * v;
        }
    }

    /// <summary>A standard normal draw by the Box-Muller transform.</summary>
    private static double Normal(Generator gen)
    {
        var u1 = 1 - gen.NextDouble();
        var u2 = gen.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
