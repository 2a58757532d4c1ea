using System.Collections.Concurrent;

namespace Engine.Backends.Cpu;

/// <summary>Reuses the large arrays of disposed CPU tensors, so a training loop that disposes its temporaries (a
/// <see cref="TensorScope"/> per step) runs without fresh large allocations, page faults or full garbage
/// collections. Arrays are grouped in size classes four to an octave (at most 19% slack); the pool keeps at most
/// <see cref="MaxRetainedBytes"/> and drops what is returned beyond that to the garbage collector. Arrays under
/// <see cref="MinPooledBytes"/> (a 64-element op's output) go to a small per-thread cache of exact lengths instead,
/// where renting and returning cost a few nanoseconds against the ~30 ns of a fresh zeroed allocation.</summary>
public static class CpuArrayPool
{
    /// <summary>Arrays of fewer bytes are kept per thread by exact length rather than in the shared buckets.</summary>
    public const int MinPooledBytes = 1024;

    private static readonly ConcurrentDictionary<(Type, int), Bucket> Buckets = new();
    private static long retainedBytes;

    /// <summary>Upper bound on the bytes held by the pool (an eighth of the memory available to the process, at
    /// most 4 GiB).</summary>
    public static long MaxRetainedBytes { get; set; } =
        Math.Min(4L << 30, Math.Max(64L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8));

    /// <summary>Bytes currently held for reuse.</summary>
    public static long RetainedBytes => Interlocked.Read(ref retainedBytes);

    /// <summary>An array of at least <paramref name="length"/> elements, and whether it came from (and may go back
    /// to) the pool. Its contents are arbitrary.</summary>
    public static T[] Rent<T>(int length, out bool pooled)
        where T : unmanaged
    {
        var elementSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        pooled = true;
        if ((long)length * elementSize < MinPooledBytes) return SmallArrays<T>.Rent(length);
        var size = SizeClass(length);
        if (Buckets.TryGetValue((typeof(T), size), out var bucket) && bucket.TryPop() is { } array)
        {
            Interlocked.Add(ref retainedBytes, -(long)size * elementSize);
            return (T[])array;
        }
        return GC.AllocateUninitializedArray<T>(size);
    }

    /// <summary>Hands an array obtained from <see cref="Rent{T}"/> back for reuse.</summary>
    public static void Return<T>(T[] array)
        where T : unmanaged
    {
        if ((long)array.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>() < MinPooledBytes) SmallArrays<T>.Return(array);
        else Return((Array)array);
    }

    /// <summary>Hands a large array obtained from <see cref="Rent{T}"/> back for reuse (by its runtime type).</summary>
    private static void Return(Array array)
    {
        var bytes = (long)array.Length * System.Runtime.InteropServices.Marshal.SizeOf(array.GetType().GetElementType()!);
        if (array is bool[]) bytes = array.Length;
        if (Interlocked.Add(ref retainedBytes, bytes) > MaxRetainedBytes)
        {
            Interlocked.Add(ref retainedBytes, -bytes);
            return;
        }
        Buckets.GetOrAdd((array.GetType().GetElementType()!, array.Length), _ => new Bucket()).Push(array);
    }

    /// <summary>Drops every pooled array (for the garbage collector to reclaim).</summary>
    public static void Trim()
    {
        foreach (var bucket in Buckets.Values)
            while (bucket.TryPop() is { } array)
                Interlocked.Add(ref retainedBytes, -(long)array.Length * (array is bool[] ? 1 : System.Runtime.InteropServices.Marshal.SizeOf(array.GetType().GetElementType()!)));
    }

    /// <summary>Arrays of one type and size class; a locked stack, which (unlike ConcurrentStack) allocates nothing
    /// per push.</summary>
    private sealed class Bucket
    {
        private readonly Stack<Array> arrays = new();

        public void Push(Array array)
        {
            lock (arrays) arrays.Push(array);
        }

        public Array? TryPop()
        {
            lock (arrays) return arrays.TryPop(out var array) ? array : null;
        }
    }

    /// <summary>The small arrays of one element type that this thread returned, up to <see cref="PerLength"/> of
    /// each length: a thread-local cache, so no locks; at most 1 KiB x 8 per length per thread is retained. An array
    /// returned on another thread than the one that rented it simply joins that thread's cache.</summary>
    private static class SmallArrays<T>
        where T : unmanaged
    {
        private const int PerLength = 8;

        private static readonly int MaxLength = MinPooledBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

        [ThreadStatic] private static T[]?[]? slots;
        [ThreadStatic] private static byte[]? counts;

        public static T[] Rent(int length)
        {
            var c = counts;
            if (c is null || c[length] == 0) return new T[length];
            var n = --c[length];
            ref var slot = ref slots![length * PerLength + n];
            var array = slot!;
            slot = null;
            return array;
        }

        public static void Return(T[] array)
        {
            var length = array.Length;
            if (length == 0) return;
            var c = counts ??= new byte[MaxLength];
            var s = slots ??= new T[]?[MaxLength * PerLength];
            if (c[length] == PerLength) return;
            s[length * PerLength + c[length]++] = array;
        }
    }

    /// <summary>The smallest class length >= length: 2^k, 1.25 * 2^k, 1.5 * 2^k or 1.75 * 2^k.</summary>
    internal static int SizeClass(int length)
    {
        if (length <= 8) return length;
        var top = 31 - int.LeadingZeroCount(length - 1); // 2^top < length <= 2^(top+1)
        var quarter = 1 << (top - 2);
        var size = (long)(1 << top);
        while (size < length) size += quarter;
        return (int)Math.Min(size, int.MaxValue);
    }
}
