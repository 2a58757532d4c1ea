using Engine;
using Engine.Backends;
using Engine.Vulkan;

// "devices": prints each Vulkan device, or the reason there is none, then what Device.Vulkan(0) does, then a CPU sum.
// "ops": runs one kernel of each family, prints the results, then "validation-errors N" and the messages.
switch (args.FirstOrDefault())
{
    case "devices":
        var (devices, unavailable) = VulkanBackend.Enumerate();
        Console.WriteLine(unavailable ?? string.Join("\n", devices.Select(d => $"device {d.Index}: {d.Name}")));
        try
        {
            Console.WriteLine($"backend {Device.Vulkan(0).Backend.Device}");
        }
        catch (VulkanUnavailableException e)
        {
            Console.WriteLine($"backend-error {e.Message}");
        }
        // Whatever Vulkan said, the CPU backend still serves.
        Console.WriteLine($"cpu-sum {Tensor.FromArray(new float[] { 1, 2, 3 }).Sum().Item<float>()}");
        return 0;
    case "ops":
        var backend = (VulkanBackend)Device.Vulkan(0).Backend;
        using (var x = Tensor.FromArray(new float[] { 1, -2, 3, -4, 5, -6 }, 2, 3).To(backend.Device))
        using (var y = Tensor.Zeros([3, 2], DType.Float32, backend.Device))
        using (var z = Tensor.Zeros([3, 2], DType.Float32, backend.Device))
        using (var c = Tensor.Zeros([3, 2], DType.Bool, backend.Device))
        using (var d = Tensor.Zeros([3, 2], DType.Float64, backend.Device))
        {
            backend.Fill(z, 0.5);
            backend.Unary(UnaryOp.Tanh, x.Transpose(0, 1), y, 0, 0);
            backend.Binary(BinaryOp.Add, y, z, y);
            backend.Binary(BinaryOp.Gt, y, z, c);
            backend.Copy(y, d);
            Console.WriteLine($"values {string.Join(" ", d.ToArray<double>().Select(v => v.ToString("R")))}");
            Console.WriteLine($"greater {string.Join(" ", c.ToArray<bool>())}");
            Console.WriteLine($"staging {backend.UsesStagingBuffers}");
        }
        backend.TrimMemory();
        var errors = VulkanBackend.ValidationErrors;
        Console.WriteLine($"validation-errors {errors.Count}");
        foreach (var e in errors) Console.WriteLine(e);
        return 0;
    default:
        Console.Error.WriteLine("usage: Engine.Vulkan.Probe devices|ops");
        return 2;
}
