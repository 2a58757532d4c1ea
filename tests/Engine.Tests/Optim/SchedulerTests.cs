using Engine.Optim;

namespace Engine.Tests.OptimTests;

/// <summary>The first 20 learning rates of each scheduler against PyTorch's formulas, evaluated here directly.</summary>
[TestClass]
public sealed class SchedulerTests
{
    private const int Epochs = 20;

    private static Sgd Optimizer(params double[] lrs)
        => new(lrs.Select(lr => new ParamGroup([Tensor.Zeros([1], DType.Float32, requiresGrad: true)], lr: lr)), momentum: 0.9);

    /// <summary>Asserts the lr of every group at epochs 0..19 (0 right after construction, then one Step each).</summary>
    private static void CheckLrs(Sgd optimizer, LrScheduler scheduler, Func<int, double, double> expected, string what)
    {
        var bases = new[] { 0.1, 0.4 };
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            if (epoch > 0) scheduler.Step();
            Assert.AreEqual(epoch, scheduler.LastEpoch, what);
            for (var g = 0; g < optimizer.ParamGroups.Count; g++)
            {
                var e = expected(epoch, bases[g]);
                Assert.AreEqual(e, optimizer.ParamGroups[g].Lr, 1e-12 * (1 + e), $"{what}: group {g}, epoch {epoch}");
                Assert.AreEqual(e, scheduler.LastLr[g], 1e-12 * (1 + e), $"{what}: LastLr, group {g}, epoch {epoch}");
            }
        }
    }

    [TestMethod]
    public void StepMultiStepAndExponentialFollowTheirFormulas()
    {
        var o = Optimizer(0.1, 0.4);
        CheckLrs(o, new StepLR(o, stepSize: 3, gamma: 0.5), (e, b) => b * Math.Pow(0.5, Math.Floor(e / 3.0)), "StepLR");
        o = Optimizer(0.1, 0.4);
        int[] milestones = [2, 5, 5, 9];
        CheckLrs(o, new MultiStepLR(o, milestones, 0.3), (e, b) => b * Math.Pow(0.3, milestones.Count(m => m <= e)), "MultiStepLR");
        o = Optimizer(0.1, 0.4);
        CheckLrs(o, new ExponentialLR(o, 0.9), (e, b) => b * Math.Pow(0.9, e), "ExponentialLR");
    }

    [TestMethod]
    public void CosineAnnealingFollowsTheClosedFormPastTMax()
    {
        var o = Optimizer(0.1, 0.4);
        CheckLrs(o, new CosineAnnealingLR(o, tMax: 7, etaMin: 0.01), (e, b) => 0.01 + (b - 0.01) * (1 + Math.Cos(Math.PI * e / 7)) / 2, "CosineAnnealingLR");
    }

    [TestMethod]
    public void LinearWarmupRisesToTheBaseAndStays()
    {
        var o = Optimizer(0.1, 0.4);
        CheckLrs(o, new LinearLR(o, startFactor: 0.25, totalIters: 4), (e, b) => b * (0.25 + 0.75 * Math.Min(e, 4) / 4), "LinearLR");
        o = Optimizer(0.1, 0.4);
        CheckLrs(o, new LinearLR(o, startFactor: 1, endFactor: 0.5, totalIters: 10), (e, b) => b * (1 - 0.5 * Math.Min(e, 10) / 10), "LinearLR decay");
    }

    [TestMethod]
    public void SequentialLRChainsWarmupAndCosine()
    {
        var o = Optimizer(0.1, 0.4);
        var warmup = new LinearLR(o, startFactor: 0.1, totalIters: 3);
        var cosine = new CosineAnnealingLR(o, tMax: 10, etaMin: 0.001);
        var sequential = new SequentialLR(o, [warmup, cosine], [3]);
        CheckLrs(o, sequential, (e, b) => e < 3
            ? b * (0.1 + 0.9 * e / 3)
            : 0.001 + (b - 0.001) * (1 + Math.Cos(Math.PI * (e - 3) / 10)) / 2, "SequentialLR");
        Assert.AreEqual(Epochs - 1 - 3, cosine.LastEpoch);
    }

    /// <summary>OneCycle's lr and momentum at a step, from PyTorch's phase table.</summary>
    private static (double Lr, double Momentum) OneCycle(int step, double maxLr, int total, double pct, bool threePhase, bool cosine)
    {
        double Anneal(double start, double end, double f) => cosine ? end + (start - end) / 2 * (1 + Math.Cos(Math.PI * f)) : start + (end - start) * f;
        var initial = maxLr / 25;
        var min = initial / 1e4;
        (double End, double Lr0, double Lr1, double M0, double M1)[] phases = threePhase
            ? [(pct * total - 1, initial, maxLr, 0.95, 0.85), (2 * pct * total - 2, maxLr, initial, 0.85, 0.95), (total - 1, initial, min, 0.95, 0.95)]
            : [(pct * total - 1, initial, maxLr, 0.95, 0.85), (total - 1, maxLr, min, 0.85, 0.95)];
        var begin = 0.0;
        foreach (var (end, lr0, lr1, m0, m1) in phases)
        {
            if (step <= end || end == total - 1)
                return (Anneal(lr0, lr1, (step - begin) / (end - begin)), Anneal(m0, m1, (step - begin) / (end - begin)));
            begin = end;
        }
        throw new InvalidOperationException();
    }

    [TestMethod]
    public void OneCycleFollowsPyTorchsPhasesAndCyclesMomentum()
    {
        foreach (var (threePhase, cosine) in new[] { (false, true), (true, true), (false, false) })
        {
            var o = Optimizer(0.1, 0.4);
            var s = new OneCycleLR(o, [1.0, 2.0], totalSteps: Epochs, pctStart: 0.3, annealStrategy: cosine ? "cos" : "linear", threePhase: threePhase);
            for (var step = 0; step < Epochs; step++)
            {
                if (step > 0) s.Step();
                for (var g = 0; g < 2; g++)
                {
                    var (lr, momentum) = OneCycle(step, g == 0 ? 1.0 : 2.0, Epochs, 0.3, threePhase, cosine);
                    var what = $"three phase {threePhase}, cos {cosine}, step {step}, group {g}";
                    Assert.AreEqual(lr, o.ParamGroups[g].Lr, 1e-12, what);
                    Assert.AreEqual(momentum, o.ParamGroups[g]["momentum"], 1e-12, what);
                }
            }
        }
        var adam = new Adam([Tensor.Zeros([1], DType.Float32, requiresGrad: true)]);
        new OneCycleLR(adam, [0.01], totalSteps: 10);
        Assert.AreEqual(0.95, adam.ParamGroups[0]["beta1"], 1e-15, "Adam cycles beta1");
        var once = new OneCycleLR(Optimizer(0.1), [1.0], totalSteps: 2);
        once.Step();
        once.Step();
        Assert.ThrowsExactly<InvalidOperationException>(once.Step);
        var adagrad = new Adagrad([Tensor.Zeros([1], DType.Float32, requiresGrad: true)]);
        Assert.ThrowsExactly<ArgumentException>(() => new OneCycleLR(adagrad, [0.1], totalSteps: 10));
    }

    [TestMethod]
    public void ReduceLROnPlateauReducesAfterPatienceWithCooldownAndFloor()
    {
        var o = Optimizer(0.1);
        var s = new ReduceLROnPlateau(o, factor: 0.5, patience: 2, cooldown: 1, minLr: [0.02]);
        double[] metrics = [1.0, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6];
        // Worked by hand: 3 bad epochs (> patience 2) reduce the lr; the epoch after a reduction is cooldown.
        double[] expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02, 0.02];
        for (var i = 0; i < metrics.Length; i++)
        {
            s.Step(metrics[i]);
            Assert.AreEqual(expected[i], o.ParamGroups[0].Lr, 1e-15, $"epoch {i + 1}, metric {metrics[i]}");
            Assert.AreEqual(expected[i], s.LastLr[0], 1e-15);
        }

        o = Optimizer(0.1);
        s = new ReduceLROnPlateau(o, mode: "max", factor: 0.1, patience: 0, threshold: 0.05, thresholdMode: "abs");
        foreach (var (metric, lr) in new[] { (0.5, 0.1), (0.54, 0.01), (0.56, 0.01), (0.6, 0.001) })
        {
            s.Step(metric);
            Assert.AreEqual(lr, o.ParamGroups[0].Lr, 1e-15, $"max/abs after {metric}");
        }
    }

    [TestMethod]
    public void SchedulerStateDictResumes()
    {
        var o1 = Optimizer(0.1, 0.4);
        var s1 = new SequentialLR(o1, [new LinearLR(o1, 0.2, totalIters: 4), new CosineAnnealingLR(o1, 12)], [4]);
        for (var i = 0; i < 6; i++) s1.Step();
        var optimizerState = o1.StateDict();
        var schedulerState = s1.StateDict();
        var o2 = Optimizer(0.1, 0.4);
        var s2 = new SequentialLR(o2, [new LinearLR(o2, 0.2, totalIters: 4), new CosineAnnealingLR(o2, 12)], [4]);
        o2.LoadStateDict(optimizerState);
        s2.LoadStateDict(schedulerState);
        for (var i = 0; i < 8; i++)
        {
            s1.Step();
            s2.Step();
            CollectionAssert.AreEqual(s1.LastLr.ToArray(), s2.LastLr.ToArray(), $"step {i}");
        }

        var o3 = Optimizer(0.1);
        var p3 = new ReduceLROnPlateau(o3, patience: 1);
        foreach (var m in new[] { 1.0, 2.0 }) p3.Step(m);
        var o4 = Optimizer(0.1);
        var p4 = new ReduceLROnPlateau(o4, patience: 1);
        p4.LoadStateDict(p3.StateDict());
        p3.Step(3.0);
        p4.Step(3.0);
        Assert.AreEqual(o3.ParamGroups[0].Lr, o4.ParamGroups[0].Lr, "the resumed plateau counter reduces at the same epoch");
        Assert.AreEqual(0.01, o4.ParamGroups[0].Lr, 1e-15);
    }
}
