namespace Engine.Tests;

[TestClass]
public sealed class SmokeTests
{
    [TestMethod]
    public void AddBroadcasts()
    {
        var a = Tensor.Arange(0, 15).Reshape(3, 1, 5);
        var b = Tensor.Ones(4, 5);
        var c = a + b;
        CollectionAssert.AreEqual(new[] { 3, 4, 5 }, c.Shape.ToArray());
        Assert.AreEqual(1f, c.ToArray<float>()[0]);
        Assert.AreEqual(15f, c.ToArray<float>()[^1]);
    }

    [TestMethod]
    public void GradCheckMatmulTanh()
    {
        var g = new Generator(1);
        var a = Tensor.Randn([3, 4], DType.Float64, g);
        var b = Tensor.Randn([4, 2], DType.Float64, g);
        var r = GradCheck.Run(x => x[0].Matmul(x[1]).Tanh().Sum(0).LogSumExp(0), [a, b]);
        Console.WriteLine(r);
        Assert.IsTrue(r.Passed(1e-6), r.ToString());
        Console.WriteLine(a);
        Console.WriteLine(Tensor.Arange(0, 2000).Reshape(40, 50));
    }
}
