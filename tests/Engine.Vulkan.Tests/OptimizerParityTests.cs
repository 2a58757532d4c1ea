using Engine.Backends;

namespace Engine.Vulkan.Tests;

/// <summary>The fused Adam/AdamW update on Vulkan against the CPU over several steps, for every variant flag.</summary>
[TestClass]
public sealed class OptimizerParityTests
{
    [TestMethod]
    public void AdamUpdateMatchesCpuOverSteps()
    {
        var backend = VulkanTestDevice.BackendOrInconclusive();
        var device = backend.Device;
        var dtypes = backend.Info.Float64 ? new[] { DType.Float32, DType.Float64 } : [DType.Float32];
        foreach (var dtype in dtypes)
        foreach (var (decoupled, amsgrad, maximize, transposedGrad) in new[] { (false, false, false, false), (true, true, false, true), (false, true, true, false) })
        {
            var what = $"Adam {dtype} decoupled {decoupled} amsgrad {amsgrad} maximize {maximize} transposed grad {transposedGrad}";
            var paramCpu = Parity.Random([33, 7], dtype, 1);
            var state = new[] { Tensor.Zeros([33, 7], dtype, Device.Cpu), Tensor.Zeros([33, 7], dtype, Device.Cpu), Tensor.Zeros([33, 7], dtype, Device.Cpu) };
            var paramGpu = paramCpu.To(device);
            var stateGpu = state.Select(t => t.To(device)).ToArray();
            for (var t = 1; t <= 3; t++)
            {
                var step = new AdamStep(1e-2, 0.9, 0.999, 1e-8, 0.01, decoupled, maximize, t);
                var gradBase = Parity.Random(transposedGrad ? [7, 33] : [33, 7], dtype, 10 + t);
                Func<Tensor, Tensor> view = transposedGrad ? g => g.Transpose(0, 1) : g => g;
                VulkanTestDevice.Cpu.AdamUpdate(paramCpu, view(gradBase), state[0], state[1], amsgrad ? state[2] : null, step);
                backend.AdamUpdate(paramGpu, view(gradBase.To(device)), stateGpu[0], stateGpu[1], amsgrad ? stateGpu[2] : null, step);
            }
            var (rtol, atol) = dtype == DType.Float32 ? (Parity.Rtol, Parity.Atol) : (1e-13, 1e-15);
            Parity.AssertClose(paramCpu, paramGpu, what + " param", rtol, atol);
            Parity.AssertClose(state[0], stateGpu[0], what + " exp_avg", rtol, atol);
            Parity.AssertClose(state[1], stateGpu[1], what + " exp_avg_sq", rtol, atol);
            if (amsgrad) Parity.AssertClose(state[2], stateGpu[2], what + " max_exp_avg_sq", rtol, atol);
        }
    }
}
