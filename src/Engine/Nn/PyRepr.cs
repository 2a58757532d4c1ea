using System.Globalization;

namespace Engine.Nn;

/// <summary>Values formatted as Python's repr prints them, so modules print the way PyTorch does
/// ("eps=1e-05", "momentum=0.1", "p=0.5", "kernel_size=(3, 3)", "bias=False").</summary>
internal static class PyRepr
{
    public static string Bool(bool value) => value ? "True" : "False";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A Python tuple of ints: "(3,)" for one element, "(3, 3)" for two.</summary>
    public static string Tuple(params int[] values)
        => values.Length == 1 ? $"({Int(values[0])},)" : $"({string.Join(", ", values.Select(Int))})";

    /// <summary>A Python string literal in single quotes.</summary>
    public static string Str(string value) => $"'{value}'";

    public static string Float(double? value) => value is { } v ? Float(v) : "None";

    /// <summary>Python's float repr: the shortest round-trip digits, in positional notation when the decimal exponent
    /// lies in [-4, 16) (always with a fractional part, "1.0"), otherwise scientific ("1e-05", "1.5e+16").</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        var sign = value < 0 ? "-" : "";

        // .NET's "R" also gives the shortest round-trip digits, but switches notation at other exponents.
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E');
        var mantissa = e < 0 ? r : r[..e];
        var shift = e < 0 ? 0 : int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var intLength = dot < 0 ? mantissa.Length : dot;
        var all = mantissa.Replace(".", "");
        var first = all.Length - all.TrimStart('0').Length;
        var digits = all[first..].TrimEnd('0');
        var exponent = shift + intLength - 1 - first;

        if (exponent is < -4 or >= 16)
        {
            var head = digits.Length == 1 ? digits : $"{digits[0]}.{digits[1..]}";
            return $"{sign}{head}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }
        if (exponent < 0) return $"{sign}0.{new string('0', -exponent - 1)}{digits}";
        var padded = digits.PadRight(exponent + 1, '0');
        var fraction = padded[(exponent + 1)..];
        return $"{sign}{padded[..(exponent + 1)]}.{(fraction.Length == 0 ? "0" : fraction)}";
    }
}
