using Engine.Lab.Analysis;
using Engine.Nn;
using Engine.Nn.Models;

namespace Engine.Lab.Tests.Analysis;

[TestClass]
public sealed class LinearRegionsTests
{
    /// <summary>One hidden ReLU layer on a scalar input whose units switch at known x: unit k is relu(x - c_k), or
    /// relu(c_k - x) where <paramref name="falling"/>; then a linear output.</summary>
    private static Sequential Breakpoints(float[] c, bool[] falling) => new(
        HandSetLayers.Linear(Column(c.Select((_, k) => falling[k] ? -1f : 1f)), [.. c.Select((ck, k) => falling[k] ? ck : -ck)]),
        new Relu(),
        HandSetLayers.Linear(new float[1, c.Length], [0]));

    private static float[,] Column(IEnumerable<float> values)
    {
        var v = values.ToArray();
        var m = new float[v.Length, 1];
        for (var i = 0; i < v.Length; i++) m[i, 0] = v[i];
        return m;
    }

    private static Tensor Sample(params float[] values) => Tensor.FromArray(values, values.Length);

    [TestMethod]
    public void SegmentRegionsAreTheBreakpointsCrossedPlusOne()
    {
        float[] c = [0.1f, 0.35f, 0.5f, 0.6f, 0.85f];
        var net = Breakpoints(c, [false, true, false, true, false]);
        var r = LinearRegions.AlongSegment(net, Sample(0), Sample(1), points: 11);
        Assert.AreEqual(6, r.Regions);
        Assert.AreEqual(6, r.DistinctPatterns);
        Assert.HasCount(5, r.Transitions);
        for (var k = 0; k < c.Length; k++) Assert.AreEqual(c[k], r.Transitions[k], 1e-5, $"breakpoint {k}");

        // Only part of the segment: from x = 0.4 to x = 0.9 crosses 0.5, 0.6 and 0.85; backwards the same.
        Assert.AreEqual(4, LinearRegions.AlongSegment(net, Sample(0.4f), Sample(0.9f)).Regions);
        Assert.AreEqual(4, LinearRegions.AlongSegment(net, Sample(0.9f), Sample(0.4f)).Regions);
        Assert.AreEqual(1, LinearRegions.AlongSegment(net, Sample(0.65f), Sample(0.8f)).Regions, "inside one region");
    }

    [TestMethod]
    public void RegionsNarrowerThanTheGridAreFoundByBisection()
    {
        // Breakpoints 0.3 and 0.3004: a region 4e-4 wide, between two grid points (0 and 0.5); a dense count with
        // 101 points would miss it.
        var net = Breakpoints([0.3f, 0.3004f], [false, false]);
        var r = LinearRegions.AlongSegment(net, Sample(0), Sample(1), points: 3);
        Assert.AreEqual(3, r.Regions);
        Assert.AreEqual(0.3, r.Transitions[0], 1e-5);
        Assert.AreEqual(0.3004, r.Transitions[1], 1e-5);
        Assert.IsLessThan(100, r.Evaluations, $"bisection, not a dense scan: {r.Evaluations} points");
    }

    [TestMethod]
    public void UnitsSwitchingAtTheSamePointMakeOneTransition()
    {
        // relu(x0), relu(x1), relu(x0 + x1 - 1) along (-1,-1) -> (2,2): x0 and x1 cross 0 together at t = 1/3,
        // x0 + x1 crosses 1 at t = 1/2.
        var net = new Sequential(HandSetLayers.Linear(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } }, [0, 0, -1]), new Relu());
        var r = LinearRegions.AlongSegment(net, Sample(-1, -1), Sample(2, 2), points: 7);
        Assert.AreEqual(3, r.Regions);
        Assert.AreEqual(1.0 / 3, r.Transitions[0], 1e-5);
        Assert.AreEqual(0.5, r.Transitions[1], 1e-5);
    }

    [TestMethod]
    public void DeepNetRegionsAreConvexAlongALineAndADenseScanFindsNoMore()
    {
        var generator = new Generator(7);
        var net = new Mlp(6, [24, 24], 3, generator: generator);
        var (a, b) = (Tensor.Randn([6], DType.Float32, generator), Tensor.Randn([6], DType.Float32, generator));
        var r = LinearRegions.AlongSegment(net, a, b, points: 16);
        Assert.IsGreaterThan(5, r.Regions, "a random 24-24 net cuts a unit-scale segment many times");
        Assert.AreEqual(r.Regions, r.DistinctPatterns, "each pattern is one interval of the line");

        var dense = LinearRegions.AlongSegment(net, a, b, points: 4001, tolerance: 0.5 / 4000);
        Assert.IsLessThanOrEqualTo(r.Regions, dense.Regions, "a grid can only miss regions");
        foreach (var t in dense.Transitions)
            Assert.IsTrue(r.Transitions.Any(exact => Math.Abs(exact - t) <= 1.0 / 4000), $"the grid's change at t = {t} is one of the transitions");
    }

    [TestMethod]
    public void PlaneRegionIdsFollowThePatterns()
    {
        // With a = (0,0), b = (1,0), c = (0,1) the plane coordinates are the input itself. Units switch on the lines
        // x0 = 0.5, x1 = 0.5 and x0 + x1 = 1, which meet at (0.5, 0.5): six regions.
        var net = new Sequential(HandSetLayers.Linear(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } }, [-0.5f, -0.5f, -1]), new Relu());
        const int resolution = 40;
        var plane = LinearRegions.OnPlane(net, Sample(0, 0), Sample(1, 0), Sample(0, 1), resolution, batchSize: 300);
        Assert.AreEqual(resolution, plane.Resolution);
        Assert.AreEqual(-0.25, plane.Coordinates[0], 1e-12);
        Assert.AreEqual(1.25, plane.Coordinates[^1], 1e-12);
        Assert.AreEqual(6, plane.Regions);

        var idOfPattern = new Dictionary<(bool, bool, bool), int>();
        var next = 0;
        for (var v = 0; v < resolution; v++)
            for (var u = 0; u < resolution; u++)
            {
                var (x0, x1) = (plane.Coordinates[u], plane.Coordinates[v]);
                var pattern = (x0 > 0.5, x1 > 0.5, x0 + x1 > 1);
                if (!idOfPattern.TryGetValue(pattern, out var expected)) idOfPattern[pattern] = expected = next++;
                Assert.AreEqual(expected, plane.RegionIds[v, u], $"point ({x0}, {x1}): ids are patterns numbered by first appearance, row by row");
            }
        Assert.AreEqual(6, idOfPattern.Count);
    }

    [TestMethod]
    public void BadInputsAreClearErrors()
    {
        var net = new Sequential(HandSetLayers.Linear(new float[,] { { 1, 0 } }, [0]), new Relu());
        var e = Assert.ThrowsExactly<ArgumentException>(() => LinearRegions.AlongSegment(net, Sample(0, 0), Sample(0, 0, 0)));
        StringAssert.Contains(e.Message, "(2)");
        StringAssert.Contains(e.Message, "(3)");
        Assert.ThrowsExactly<ArgumentException>(() => LinearRegions.AlongSegment(net, Sample(0, 0), Sample(1, 1), points: 1));
        Assert.ThrowsExactly<ArgumentException>(() => LinearRegions.AlongSegment(net, Sample(0, 0), Sample(1, 1), tolerance: 0));
        Assert.ThrowsExactly<ArgumentException>(() => LinearRegions.OnPlane(net, Sample(0, 0), Sample(1, 0), Sample(0, 1), resolution: 1));
        Assert.ThrowsExactly<ArgumentException>(() => LinearRegions.OnPlane(net, Sample(0, 0), Sample(1, 0), Sample(0, 1), min: 1, max: 1));
        var ints = Tensor.FromArray(new long[] { 0, 0 }, 2);
        e = Assert.ThrowsExactly<ArgumentException>(() => LinearRegions.AlongSegment(net, ints, ints));
        StringAssert.Contains(e.Message, "Int64");
    }
}
