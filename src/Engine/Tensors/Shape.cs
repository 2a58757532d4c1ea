using System.Text;

namespace Engine;

/// <summary>Shape and stride arithmetic shared by the tensor, the ops and the backends.</summary>
public static class Shape
{
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape) n *= d;
        if (n > int.MaxValue)
            throw new ArgumentException($"a tensor of shape {Format(shape)} has {n} elements; at most {int.MaxValue} are supported");
        return (int)n;
    }

    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        var s = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        var expected = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /// <summary>"(3,4)" as error messages print shapes; "(5)" for 1-D, "()" for a scalar. <paramref name="separator"/>
    /// ", " gives PyTorch's printed form.</summary>
    public static string Format(ReadOnlySpan<int> shape, string separator = ",")
    {
        var sb = new StringBuilder("(");
        for (var i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(separator);
            sb.Append(shape[i]);
        }
        return sb.Append(')').ToString();
    }

    /// <summary>Wraps a possibly negative dim into [0, rank); throws naming the op when out of range.</summary>
    public static int NormalizeDim(int dim, int rank, string op)
    {
        var r = Math.Max(rank, 1);
        if (dim < -r || dim >= r)
            throw new ArgumentOutOfRangeException(nameof(dim),
                $"{op}: dimension {dim} is out of range for a tensor of rank {rank}; expected a dim in [{-r}, {r - 1}]");
        return dim < 0 ? dim + r : dim;
    }

    /// <summary>Normalises a set of dims; an empty or null set means every dim. Duplicates are an error.</summary>
    public static int[] NormalizeDims(ReadOnlySpan<int> dims, int rank, string op)
    {
        if (dims.Length == 0)
        {
            var all = new int[rank];
            for (var i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        var result = new int[dims.Length];
        for (var i = 0; i < dims.Length; i++)
        {
            result[i] = NormalizeDim(dims[i], rank, op);
            for (var j = 0; j < i; j++)
                if (result[j] == result[i])
                    throw new ArgumentException($"{op}: dimension {dims[i]} appears more than once in the list of dims");
        }
        Array.Sort(result);
        return result;
    }

    /// <summary>NumPy/PyTorch broadcasting: shapes are aligned from the right and each pair of sizes must be equal
    /// or one of them 1.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            var db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast: size {da} != {db} at dimension {i} (counted from the left of the broadcast shape)");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    public static bool SequenceEqual(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}
