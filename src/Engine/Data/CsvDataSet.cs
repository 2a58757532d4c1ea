using System.Globalization;

namespace Engine.Data;

/// <summary>Reads a labelled CSV file: numeric features, then an integer class label (0, 1, ...) in the last column.
/// Blank lines are skipped; cells may be quoted. The first line is a header when its last cell (the label column's
/// name) is not a number; a data row always ends in a numeric label. scikit-learn's header
/// "samples,features,class names..." is recognised and gives the class names; otherwise classes are named "0", "1", ...</summary>
public static class CsvDataSet
{
    /// <summary>Loads a CSV file, gzip'd or not; the table is named after the file.</summary>
    public static LabeledTable Load(string path)
    {
        using var reader = new StreamReader(DataFiles.Open(path));
        return Parse(reader, path, TableName(path));
    }

    /// <summary>Parses CSV text; <paramref name="source"/> names it in error messages.</summary>
    public static LabeledTable Parse(TextReader reader, string source, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string[]? header = null;
        var headerLine = 0;
        var columns = 0;
        var firstDataLine = 0;
        var features = new List<float>();
        var labels = new List<long>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = line.Split(',').Select(Unquote).ToArray();
            if (header is null && columns == 0 && !IsNumber(cells[^1]))
            {
                header = cells;
                headerLine = lineNumber;
                continue;
            }
            if (columns == 0)
            {
                if (cells.Length < 2)
                    throw Bad(source, $"line {lineNumber} has {cells.Length} column; expected at least one feature and a class label");
                columns = cells.Length;
                firstDataLine = lineNumber;
            }
            else if (cells.Length != columns)
            {
                throw Bad(source, $"line {lineNumber} has {cells.Length} columns; expected {columns} as on line {firstDataLine}");
            }
            for (var c = 0; c < columns - 1; c++)
            {
                if (!TryParseNumber(cells[c], out var value))
                    throw Bad(source, $"line {lineNumber}, column {c + 1}: '{cells[c]}' is not a number");
                features.Add((float)value);
            }
            labels.Add(ParseLabel(cells[^1], source, lineNumber, columns));
        }
        if (labels.Count == 0)
            throw Bad(source, "has no data rows");

        var classCount = (int)labels.Max() + 1;
        var classNames = ClassNames(header, headerLine, labels.Count, columns, classCount, source);
        return new LabeledTable(name, Tensor.FromArray(features.ToArray(), labels.Count, columns - 1), Tensor.FromArray(labels.ToArray()), classNames);
    }

    private static string[] ClassNames(string[]? header, int headerLine, int rows, int columns, int classCount, string source)
    {
        if (header is null) return LabeledTable.NumberedClasses(classCount);
        if (IsScikitLearnHeader(header, rows, columns))
        {
            if (header.Length - 2 < classCount)
                throw Bad(source, $"line {headerLine} names {header.Length - 2} classes but the labels go up to {classCount - 1}");
            return header[2..];
        }
        if (header.Length != columns)
            throw Bad(source, $"the header on line {headerLine} has {header.Length} columns but the data has {columns}");
        return LabeledTable.NumberedClasses(classCount);
    }

    /// <summary>"150,4,setosa,versicolor,virginica": the sample and feature counts, then the class names.</summary>
    private static bool IsScikitLearnHeader(string[] header, int rows, int columns)
        => header.Length >= 3
            && int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n == rows
            && int.TryParse(header[1], NumberStyles.None, CultureInfo.InvariantCulture, out var f) && f == columns - 1;

    private static long ParseLabel(string cell, string source, int line, int column)
    {
        if (!TryParseNumber(cell, out var value))
            throw Bad(source, $"line {line}, column {column}: class label '{cell}' is not a number");
        if (value != Math.Floor(value) || value < 0 || value > int.MaxValue)
            throw Bad(source, $"line {line}, column {column}: class label '{cell}' is not a non-negative integer");
        return (long)value;
    }

    private static bool IsNumber(string cell) => TryParseNumber(cell, out _);

    private static bool TryParseNumber(string cell, out double value)
        => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static string Unquote(string cell)
    {
        var s = cell.Trim();
        return s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;
    }

    private static string TableName(string path)
    {
        var name = Path.GetFileName(path);
        foreach (var suffix in new[] { ".gz", ".csv" })
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) name = name[..^suffix.Length];
        return name;
    }

    private static InvalidDataException Bad(string source, string problem) => new($"CSV {source}: {problem}");
}
