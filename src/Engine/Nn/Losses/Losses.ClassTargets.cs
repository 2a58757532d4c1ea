namespace Engine.Nn;

/// <summary>The class-index geometry shared by CrossEntropy, Nll and MultiMargin: an input [C], [N, C] or
/// [N, C, d1, ...] seen as rows [R, C] with the class dim last, and its Int64 targets flattened to [R].</summary>
public static partial class Losses
{
    private sealed record ClassRows(Tensor Rows, Tensor Target, int[] TargetShape, int Classes);

    /// <summary>Per-row facts about class targets: the targets with ignored entries replaced by class 0 (so they
    /// can index), the per-row weight (the target's class weight, 0 where ignored; null when every row weighs 1),
    /// and how many rows are not ignored.</summary>
    private sealed record TargetWeights(Tensor Safe, Tensor? RowWeight, Tensor? Keep, int Kept);

    private static ClassRows ToClassRows(Tensor input, Tensor target, string op)
    {
        ArgumentNullException.ThrowIfNull(target);
        CheckFloat(input, "input", op);
        if (input.Rank == 0)
            throw new ArgumentException($"{op}: the input needs a class dim: shape (C), (N,C) or (N,C,d1,...); got a 0-dim tensor");
        if (target.DType is not (DType.Int64 or DType.Int32))
            throw new ArgumentException($"{op}: class-index targets must be Int64 (or Int32); got {target.DType} of shape {Shape.Format(target.Shape)}");
        CheckDevice(input, target, "target", op);
        var classDim = input.Rank == 1 ? 0 : 1;
        var classes = input.Shape[classDim];
        var expected = input.Shape.ToArray().Where((_, i) => i != classDim).ToArray();
        if (!target.Shape.SequenceEqual(expected))
            throw new ArgumentException(
                $"{op}: target of shape {Shape.Format(target.Shape)} does not match the input of shape {Shape.Format(input.Shape)}: expected class indices of shape {Shape.Format(expected)}");
        Tensor rows;
        if (input.Rank <= 2) rows = input.Reshape(-1, classes);
        else
        {
            int[] perm = [0, .. Enumerable.Range(2, input.Rank - 2), 1];
            rows = input.Permute(perm).Reshape(-1, classes);
        }
        return new ClassRows(rows, target.To(DType.Int64).Reshape(-1), expected, classes);
    }

    /// <summary>A class-weight vector checked against the class count, detached (class weights are constants, as
    /// in PyTorch) and in the input's dtype.</summary>
    private static Tensor? ClassWeight(Tensor input, Tensor? weight, int classes, string op)
    {
        if (weight is null) return null;
        CheckFloat(weight, "weight", op);
        CheckDevice(input, weight, "weight", op);
        if (weight.Rank != 1 || weight.Shape[0] != classes)
            throw new ArgumentException($"{op}: weight must be 1-D with one entry per class ({classes}); got shape {Shape.Format(weight.Shape)}");
        return weight.Detach().To(input.DType);
    }

    /// <summary>Checks every target lies in [0, classes) or equals ignoreIndex (on the host: the targets are one value
    /// per row, small next to the [R, C] input) and builds the per-row weights.</summary>
    private static TargetWeights Weigh(ClassRows r, Tensor? classWeight, long? ignoreIndex, string op)
    {
        var ignored = 0;
        foreach (var v in r.Target.ToArray<long>())
        {
            if (v == ignoreIndex) ignored++;
            else if (v < 0 || v >= r.Classes)
            {
                var allowed = ignoreIndex is { } ii ? $" or the ignore index {ii}" : "";
                throw new ArgumentOutOfRangeException(
                    "target", $"{op}: target {v} is out of range for {r.Classes} classes; expected 0 <= target < {r.Classes}{allowed}");
            }
        }
        var dtype = r.Rows.DType;
        if (ignored == 0)
            return new TargetWeights(r.Target, classWeight?.IndexSelect(0, r.Target), null, r.Target.Numel);
        var keep = r.Target.Ne(ignoreIndex!.Value);
        var safe = Tensor.Where(keep, r.Target, 0);
        var keepF = keep.To(dtype);
        var rowWeight = classWeight is null ? keepF : classWeight.IndexSelect(0, safe) * keepF;
        return new TargetWeights(safe, rowWeight, keepF, r.Target.Numel - ignored);
    }

    /// <summary>Reduces per-row class losses: the mean divides by the total weight of the non-ignored targets (their
    /// count without class weights). With every target ignored the mean is NaN, as PyTorch's, and the gradient 0.</summary>
    private static Tensor ReduceRows(Tensor perRow, ClassRows r, TargetWeights tw, Reduction reduction) => reduction switch
    {
        Reduction.None => perRow.Reshape(r.TargetShape),
        Reduction.Sum => perRow.Sum(),
        Reduction.Mean when tw.Kept == 0 => perRow.Sum() + double.NaN,
        _ => tw.RowWeight is null ? perRow.Sum() / tw.Kept : perRow.Sum() / tw.RowWeight.Sum(),
    };
}
