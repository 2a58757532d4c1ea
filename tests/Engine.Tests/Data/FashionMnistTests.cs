using System.Diagnostics;
using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class FashionMnistTests
{
    [TestMethod]
    public void RealDataHasTheShapesRangeAndBalanceOfThePublishedSet()
    {
        var data = TestData.FashionMnistOrInconclusive();
        var clock = Stopwatch.StartNew();
        FashionMnist.Load();
        Console.WriteLine($"Fashion-MNIST load: {clock.ElapsedMilliseconds} ms");

        foreach (var (table, n) in new[] { (data.Train, 60000), (data.Test, 10000) })
        {
            CollectionAssert.AreEqual(new[] { n, 1, 28, 28 }, table.Features.Shape.ToArray(), table.Name);
            Assert.AreEqual(DType.Float32, table.Features.DType);
            Assert.AreEqual(DType.Int64, table.Labels.DType);
            Assert.AreEqual(784, table.FeatureCount);
            CollectionAssert.AreEqual(FashionMnist.ClassNames, table.ClassNames);
            Assert.AreEqual(0.0, table.Features.Min().Item());
            Assert.AreEqual(1.0, table.Features.Max().Item());
            var counts = CsvDataSetTests.Histogram(table.Labels, 10);
            CollectionAssert.AreEqual(Enumerable.Repeat(n / 10, 10).ToArray(), counts, $"{table.Name}: {string.Join(",", counts)}");
        }
        // Every value is a byte / 255.
        var pixels = data.Test.Features.Narrow(0, 0, 100).ToArray<float>();
        Assert.IsTrue(pixels.All(p => Math.Abs(p * 255 - Math.Round(p * 255)) < 1e-4), "pixels are multiples of 1/255");
        var mean = data.Train.Features.Mean().Item();
        Assert.IsTrue(mean is > 0.28 and < 0.29, $"the training pixel mean is about 0.286; got {mean}");
    }

    [TestMethod]
    public void SmallDirectoryWithTheFourFilesLoads()
    {
        var dir = Directory.CreateTempSubdirectory("engine-fmnist-");
        try
        {
            WriteSplit(dir.FullName, "train", [3, 0, 9], gzip: true);
            WriteSplit(dir.FullName, "t10k", [7, 7], gzip: false);
            var data = FashionMnist.Load(dir.FullName);
            CollectionAssert.AreEqual(new[] { 3, 1, 28, 28 }, data.Train.Features.Shape.ToArray());
            CollectionAssert.AreEqual(new long[] { 3, 0, 9 }, data.Train.Labels.ToArray<long>());
            CollectionAssert.AreEqual(new long[] { 7, 7 }, data.Test.Labels.ToArray<long>());
            // Image i's pixel p is (i * 31 + p) mod 256, scaled.
            var first = data.Train.Features.Select(0, 1).ToArray<float>();
            Assert.AreEqual(31 / 255f, first[0]);
            Assert.AreEqual(((31 + 783) % 256) / 255f, first[783]);

            // The files may also sit in a fashion-mnist subdirectory of the directory named.
            var parent = Directory.CreateTempSubdirectory("engine-fmnist-parent-");
            try
            {
                Directory.Move(dir.FullName, Path.Combine(parent.FullName, "fashion-mnist"));
                Assert.AreEqual(Path.Combine(parent.FullName, "fashion-mnist"), FashionMnist.ResolveDirectory(null, parent.FullName));
            }
            finally
            {
                parent.Delete(recursive: true);
            }
        }
        finally
        {
            if (Directory.Exists(dir.FullName)) dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void MissingFilesSayHowToGetThem()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"engine-no-data-{Guid.NewGuid():N}");
        var e = Assert.ThrowsExactly<DataSetNotFoundException>(() => FashionMnist.Load(missing));
        foreach (var needed in new[] { missing, "does not exist", "apt-get install dataset-fashion-mnist", "--data-dir", "ENGINE_DATA",
                     "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
            StringAssert.Contains(e.Message, needed);

        // The environment variable is used when no directory is given, the system directory when neither is.
        e = Assert.ThrowsExactly<DataSetNotFoundException>(() => FashionMnist.ResolveDirectory(null, missing));
        StringAssert.Contains(e.Message, $"$ENGINE_DATA, {missing}, does not exist");
        var dir = Directory.CreateTempSubdirectory("engine-fmnist-partial-");
        try
        {
            WriteSplit(dir.FullName, "train", [1], gzip: true);
            e = Assert.ThrowsExactly<DataSetNotFoundException>(() => FashionMnist.ResolveDirectory(dir.FullName, missing));
            StringAssert.Contains(e.Message, "lacks t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
        if (!Directory.Exists(FashionMnist.SystemDirectory))
        {
            e = Assert.ThrowsExactly<DataSetNotFoundException>(() => FashionMnist.ResolveDirectory(null, null));
            StringAssert.Contains(e.Message, FashionMnist.SystemDirectory);
        }
        else
        {
            Assert.AreEqual(FashionMnist.SystemDirectory, FashionMnist.ResolveDirectory(null, ""));
        }
    }

    [TestMethod]
    public void ImagesOfTheWrongShapeAreRejected()
    {
        var dir = Directory.CreateTempSubdirectory("engine-fmnist-bad-");
        try
        {
            WriteSplit(dir.FullName, "train", [1, 2], gzip: false);
            WriteSplit(dir.FullName, "t10k", [1], gzip: false);
            // Replace the test images by 27x27 ones.
            File.WriteAllBytes(Path.Combine(dir.FullName, "t10k-images-idx3-ubyte"),
                IdxReaderTests.Concat([0, 0, 8, 3], [0, 0, 0, 1], [0, 0, 0, 27], [0, 0, 0, 27], new byte[27 * 27]));
            var e = Assert.ThrowsExactly<InvalidDataException>(() => FashionMnist.Load(dir.FullName));
            StringAssert.Contains(e.Message, "t10k images");
            StringAssert.Contains(e.Message, "have shape (1,27,27) of UnsignedByte; expected (N,28,28)");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Writes {prefix}-images-idx3-ubyte and {prefix}-labels-idx1-ubyte (".gz" when gzip'd) for the labels.</summary>
    private static void WriteSplit(string dir, string prefix, byte[] labels, bool gzip)
    {
        var n = labels.Length;
        byte[] count = [0, 0, (byte)(n >> 8), (byte)n];
        var pixels = new byte[n * 784];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i / 784 * 31 + i % 784) % 256);
        var images = IdxReaderTests.Concat([0, 0, 8, 3], count, [0, 0, 0, 28], [0, 0, 0, 28], pixels);
        var labelFile = IdxReaderTests.Concat([0, 0, 8, 1], count, labels);
        var suffix = gzip ? ".gz" : "";
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{suffix}"), gzip ? IdxReaderTests.Gzip(images) : images);
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{suffix}"), gzip ? IdxReaderTests.Gzip(labelFile) : labelFile);
    }
}
