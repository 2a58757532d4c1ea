using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Engine.Backends;
using Engine.Nn;
using Engine.Optim;
using Engine.Training;
using Engine.Vulkan;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary><c>engine bench-device</c>: the CPU and each Vulkan device side by side: float32 GEMM throughput at a few
/// square sizes and the milliseconds of one training step (forward, cross-entropy, backward, Adam, reading the loss) of
/// the MLP (784-256-256-10) and the CNN of <c>engine train --model cnn</c>, on random data. Every measurement is
/// warmed up first (on Vulkan the first dispatch of each kernel builds its pipeline). A workload a device cannot run
/// (an op its backend does not implement yet) is reported with the reason instead of a figure.</summary>
internal static class BenchDeviceCommand
{
    public static Command Create()
    {
        var sizes = new Option<string>("--gemm-sizes") { Description = "Square float32 GEMM sizes n (an n x n times n x n product), comma-separated", DefaultValueFactory = _ => "256,1024,2048" };
        var models = new Option<string>("--models") { Description = "Training steps to time: mlp, cnn, comma-separated (empty for none)", DefaultValueFactory = _ => "mlp,cnn" };
        var batch = new Option<int>("--batch") { Description = "Samples per training step", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { Description = "Timed training steps per model and device", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps and GEMM calls before timing", DefaultValueFactory = _ => 3 };
        var minSeconds = new Option<double>("--min-seconds") { Description = "Least time spent timing each GEMM size", DefaultValueFactory = _ => 0.5 };
        var devices = new Option<string?>("--devices") { Description = "cpu, vulkan:N, comma-separated (default: the CPU and every Vulkan device)" };
        var command = new Command("bench-device", "Time GEMM and MLP/CNN training steps on the CPU and on each Vulkan device, side by side")
        {
            sizes, models, batch, steps, warmup, minSeconds, devices,
        };
        return command.WithAction((parse, output) =>
        {
            var config = new BenchDeviceConfig(
                ModelSpec.ParseInts(parse.GetValue(sizes) ?? ""),
                (parse.GetValue(models) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(batch), parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(minSeconds));
            config.Validate();
            var (found, unavailable) = VulkanBackend.Enumerate();
            var targets = parse.GetValue(devices) is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Device.Parse).ToList()
                : [Device.Cpu, .. found.Select(d => Device.Vulkan(d.Index))];
            var results = targets.Select(d => BenchDevice.Run(d, config, output)).ToList();
            var report = new BenchDeviceReport(config, results, unavailable);
            if (output.Json) output.WriteJson(report);
            else output.Human.Write(Render(report));
            return 0;
        });
    }

    private static Table Render(BenchDeviceReport report)
    {
        var table = new Table().AddColumn("workload");
        foreach (var d in report.Devices) table.AddColumn(new TableColumn($"{d.Device}\n{d.Name}").RightAligned());
        static string Cell(double? value, string? error, string format) => error is not null ? $"n/a ({error})" : value?.ToString(format, CultureInfo.InvariantCulture) ?? "";
        foreach (var n in report.Config.GemmSizes)
            table.AddRow(new[] { new Text($"GEMM {n}x{n}x{n} float32, GFLOP/s") }.Concat(report.Devices.Select(d =>
            {
                var g = d.Gemm.Single(g => g.N == n);
                return (Spectre.Console.Rendering.IRenderable)new Text(Cell(g.Gflops, g.Error, "F1"));
            })).ToArray());
        foreach (var model in report.Config.Models)
            table.AddRow(new[] { new Text($"{model} training step, batch {report.Config.Batch}, ms (median)") }.Concat(report.Devices.Select(d =>
            {
                var t = d.Training.Single(t => t.Model == model);
                return (Spectre.Console.Rendering.IRenderable)new Text(Cell(t.MedianMs, t.Error, "F2"));
            })).ToArray());
        if (report.VulkanUnavailable is not null) table.Caption($"Vulkan: {report.VulkanUnavailable}");
        return table;
    }
}

/// <summary>What bench-device measures.</summary>
internal sealed record BenchDeviceConfig(int[] GemmSizes, string[] Models, int Batch, int Steps, int Warmup, double MinSeconds)
{
    public static readonly string[] KnownModels = ["mlp", "cnn"];

    public void Validate()
    {
        if (GemmSizes.Any(n => n < 1)) throw new ArgumentException($"bench-device: GEMM sizes must be positive; got {string.Join(",", GemmSizes)}");
        if (Models.FirstOrDefault(m => !KnownModels.Contains(m)) is { } unknown)
            throw new ArgumentException($"bench-device: unknown model '{unknown}'; expected {string.Join(" or ", KnownModels)}");
        if (Batch < 1 || Steps < 1 || Warmup < 0 || !(MinSeconds >= 0))
            throw new ArgumentException($"bench-device: --batch and --steps must be at least 1, --warmup and --min-seconds at least 0; got batch {Batch}, steps {Steps}, warmup {Warmup}, min-seconds {MinSeconds}");
    }
}

/// <summary>The JSON result of <c>engine bench-device --json</c>.</summary>
internal sealed record BenchDeviceReport(BenchDeviceConfig Config, IReadOnlyList<DeviceBench> Devices, string? VulkanUnavailable);

/// <summary>One device's figures; <see cref="Error"/> is set when the device could not be opened at all.</summary>
internal sealed record DeviceBench(string Device, string Name, IReadOnlyList<GemmBench> Gemm, IReadOnlyList<StepBench> Training, string? Error);

/// <summary>C = A B for n x n float32 matrices: <see cref="Calls"/> timed calls (after the warm-up) in
/// <see cref="Seconds"/>, waiting for the device at the end; GFLOP/s = 2 n^3 calls / seconds / 1e9.</summary>
internal sealed record GemmBench(int N, double? Gflops, double? MsPerCall, int Calls, double Seconds, string? Error);

/// <summary>One training step of a model, in milliseconds: the median and mean of <see cref="Steps"/> timed steps,
/// each from the forward pass to the loss read on the host (which waits for the device).</summary>
internal sealed record StepBench(string Model, string Layers, int Batch, int Steps, double? MedianMs, double? MeanMs, double? MinMs, string? Error);

internal static class BenchDevice
{
    public static DeviceBench Run(Device device, BenchDeviceConfig config, CliOutput output)
    {
        string name;
        IBackend backend;
        try
        {
            backend = device.Backend;
            name = backend is VulkanBackend v ? $"{v.Info.Name} ({v.Info.Driver})" : $"CPU, {Environment.ProcessorCount} logical cores";
        }
        catch (Exception e) when (e is VulkanUnavailableException or ArgumentException or NotSupportedException)
        {
            return new DeviceBench(device.ToString(), "", [], [], e.Message);
        }
        var gemm = config.GemmSizes.Select(n => Gemm(device, backend, n, config, output)).ToList();
        var training = config.Models.Select(m => Step(device, backend, m, config, output)).ToList();
        return new DeviceBench(device.ToString(), name, gemm, training, null);
    }

    private static GemmBench Gemm(Device device, IBackend backend, int n, BenchDeviceConfig config, CliOutput output)
    {
        output.Progress.MarkupLineInterpolated($"bench-device {device}: GEMM {n}x{n}x{n}");
        try
        {
            var generator = new Generator(1);
            using var a = Tensor.Rand([1, n, n], DType.Float32, generator, device);
            using var b = Tensor.Rand([1, n, n], DType.Float32, generator, device);
            using var c = Tensor.Zeros([1, n, n], DType.Float32, device);
            for (var i = 0; i < Math.Max(1, config.Warmup); i++) backend.Matmul(a, b, c, accumulate: false);
            backend.Synchronize();
            // One timed call sizes the run so that it lasts at least MinSeconds.
            var clock = Stopwatch.StartNew();
            backend.Matmul(a, b, c, accumulate: false);
            backend.Synchronize();
            var one = clock.Elapsed.TotalSeconds;
            var calls = (int)Math.Clamp(Math.Ceiling(config.MinSeconds / Math.Max(one, 1e-6)), 1, 10_000);
            clock.Restart();
            for (var i = 0; i < calls; i++) backend.Matmul(a, b, c, accumulate: false);
            backend.Synchronize();
            var seconds = clock.Elapsed.TotalSeconds;
            var flops = 2.0 * n * n * n * calls;
            return new GemmBench(n, flops / seconds / 1e9, seconds / calls * 1e3, calls, seconds, null);
        }
        catch (NotSupportedException e)
        {
            return new GemmBench(n, null, null, 0, 0, e.Message);
        }
    }

    private static StepBench Step(Device device, IBackend backend, string model, BenchDeviceConfig config, CliOutput output)
    {
        var (input, hidden, layers) = model == "mlp"
            ? (new[] { 784 }, new[] { 256, 256 }, "784-256-256-10")
            : (new[] { 1, 28, 28 }, Array.Empty<int>(), "conv 1-32, pool, conv 32-64, pool, 3136-128-10");
        output.Progress.MarkupLineInterpolated($"bench-device {device}: {model} training step, batch {config.Batch}");
        try
        {
            var generator = new Generator(1);
            var net = new ModelSpec(model, input, 10, hidden, "relu").Create(generator);
            net.To(device);
            net.Train();
            var optimizer = new Adam(net.Parameters(), lr: 1e-3);
            using var x = Tensor.Randn([config.Batch, .. input], DType.Float32, generator, device);
            using var y = Tensor.RandInt(0, 10, [config.Batch], DType.Int64, generator, device);
            double OneStep()
            {
                using var scope = TensorScope.Enter();
                var clock = Stopwatch.StartNew();
                var loss = Losses.CrossEntropy(net.Forward(x), y);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
                _ = loss.Item();
                backend.Synchronize();
                return clock.Elapsed.TotalMilliseconds;
            }
            for (var i = 0; i < config.Warmup; i++) OneStep();
            var times = Enumerable.Range(0, config.Steps).Select(_ => OneStep()).Order().ToArray();
            var median = times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
            return new StepBench(model, layers, config.Batch, config.Steps, median, times.Average(), times[0], null);
        }
        catch (NotSupportedException e)
        {
            return new StepBench(model, layers, config.Batch, 0, null, null, null, e.Message);
        }
    }
}
