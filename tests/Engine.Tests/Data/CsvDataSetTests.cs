using Engine.Data;

namespace Engine.Tests.DataTests;

[TestClass]
public sealed class CsvDataSetTests
{
    [TestMethod]
    public void WithoutHeaderEveryLineIsData()
    {
        var table = Parse("1,2.5,0\n-3,4e-1,2\n\n5,6,1\n");
        Assert.AreEqual(3, table.Samples);
        Assert.AreEqual(2, table.FeatureCount);
        Assert.AreEqual(DType.Float32, table.Features.DType);
        CollectionAssert.AreEqual(new[] { 1f, 2.5f, -3f, 0.4f, 5f, 6f }, table.Features.ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 0, 2, 1 }, table.Labels.ToArray<long>());
        CollectionAssert.AreEqual(new[] { "0", "1", "2" }, table.ClassNames);
    }

    [TestMethod]
    public void HeaderRowIsDetectedAndSkipped()
    {
        var table = Parse("\"width\", height ,label\r\n1,2,1\r\n3,4,0\r\n");
        Assert.AreEqual(2, table.Samples);
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f, 4f }, table.Features.ToArray<float>());
        CollectionAssert.AreEqual(new long[] { 1, 0 }, table.Labels.ToArray<long>());
        CollectionAssert.AreEqual(new[] { "0", "1" }, table.ClassNames);
        CollectionAssert.AreEqual(new[] { 3f, 4f }, Parse("0,1,class\n3,4,0\n").Features.ToArray<float>(), "numeric column names");
    }

    [TestMethod]
    public void ScikitLearnHeaderGivesClassNames()
    {
        var table = Parse("3,2,cat,dog\n1,1,0\n2,2,1\n3,3,1\n");
        Assert.AreEqual(3, table.Samples);
        CollectionAssert.AreEqual(new[] { "cat", "dog" }, table.ClassNames);
    }

    [TestMethod]
    public void BadCellsNameTheirLineAndColumn()
    {
        var cases = new (string Text, string Expected)[]
        {
            ("a,b,label\n1,2,0\n3,x,1\n", "CSV test.csv: line 3, column 2: 'x' is not a number"),
            ("1,x,0\n3,4,1\n", "CSV test.csv: line 1, column 2: 'x' is not a number"),
            ("1,2,0\n3,4\n", "CSV test.csv: line 2 has 2 columns; expected 3 as on line 1"),
            ("1,2,0\n3,4,1.5\n", "CSV test.csv: line 2, column 3: class label '1.5' is not a non-negative integer"),
            ("1,2,0\n3,4,-1\n", "CSV test.csv: line 2, column 3: class label '-1' is not a non-negative integer"),
            ("1,2,0\n3,NaN,1\n", "CSV test.csv: line 2, column 2: 'NaN' is not a number"),
            ("a,b,c,label\n1,2,0\n", "CSV test.csv: the header on line 1 has 4 columns but the data has 3"),
            ("a,b,label\n", "CSV test.csv: has no data rows"),
        };
        foreach (var (text, expected) in cases)
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => Parse(text), text);
            Assert.AreEqual(expected, e.Message, text);
        }
    }

    [TestMethod]
    public void LoadReadsPlainAndGzipFilesAndNamesTheTable()
    {
        var text = "x,y,label\n0.5,1,1\n1.5,2,0\n"u8.ToArray();
        var dir = Directory.CreateTempSubdirectory("engine-csv-");
        try
        {
            var plain = Path.Combine(dir.FullName, "points.csv");
            var gz = Path.Combine(dir.FullName, "points2.csv.gz");
            File.WriteAllBytes(plain, text);
            File.WriteAllBytes(gz, IdxReaderTests.Gzip(text));
            foreach (var (path, name) in new[] { (plain, "points"), (gz, "points2") })
            {
                var table = CsvDataSet.Load(path);
                Assert.AreEqual(name, table.Name);
                CollectionAssert.AreEqual(new[] { 0.5f, 1f, 1.5f, 2f }, table.Features.ToArray<float>());
                CollectionAssert.AreEqual(new long[] { 1, 0 }, table.Labels.ToArray<long>());
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void EmbeddedSetsLoadThroughTheCsvReader()
    {
        var expected = new (string Name, int Samples, int Features, string[] Classes)[]
        {
            ("digits", 1797, 64, LabeledTable.NumberedClasses(10)),
            ("iris", 150, 4, ["setosa", "versicolor", "virginica"]),
            ("wine", 178, 13, ["class_0", "class_1", "class_2"]),
            ("breast-cancer", 569, 30, ["malignant", "benign"]),
        };
        foreach (var (name, samples, features, classes) in expected)
        {
            var table = EmbeddedDataSets.Load(name);
            Assert.AreEqual(name, table.Name);
            Assert.AreEqual(samples, table.Samples, name);
            Assert.AreEqual(features, table.FeatureCount, name);
            CollectionAssert.AreEqual(classes, table.ClassNames, name);
            var counts = Histogram(table.Labels, classes.Length);
            Assert.IsTrue(counts.All(c => c > 0), $"{name}: every class occurs ({string.Join(",", counts)})");
        }
        // Iris's first row, as published.
        CollectionAssert.AreEqual(new[] { 5.1f, 3.5f, 1.4f, 0.2f }, EmbeddedDataSets.Iris().Features.Narrow(0, 0, 1).ToArray<float>());
    }

    internal static int[] Histogram(Tensor labels, int classes)
    {
        var counts = new int[classes];
        foreach (var y in labels.ToArray<long>()) counts[y]++;
        return counts;
    }

    private static LabeledTable Parse(string text) => CsvDataSet.Parse(new StringReader(text), "test.csv", "test");
}
