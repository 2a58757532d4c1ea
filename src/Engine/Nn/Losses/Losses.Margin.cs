namespace Engine.Nn;

/// <summary>Margin (hinge) losses.</summary>
public static partial class Losses
{
    /// <summary>Multi-class hinge loss (PyTorch's multi_margin_loss): for each sample,
    /// Σ_{i≠y} w_y max(0, margin - x_y + x_i)^p / C, with p 1 or 2. The input is [N, C] or [C], the target class
    /// indices [N] or a 0-dim index. The class weight multiplies the powered hinge, as PyTorch's kernel computes it
    /// (its docs put the weight inside the power, which differs for p = 2). The mean is over samples.</summary>
    public static Tensor MultiMargin(Tensor input, Tensor target, int p = 1, double margin = 1, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "MultiMargin";
        ArgumentNullException.ThrowIfNull(input);
        CheckReduction(reduction, op);
        if (p is not (1 or 2)) throw new ArgumentException($"{op}: p must be 1 or 2; got {p}");
        if (input.Rank > 2)
            throw new ArgumentException($"{op}: the input must be (C) or (N,C); got shape {Shape.Format(input.Shape)}");
        var rows = ToClassRows(input, target, op);
        var tw = Weigh(rows, ClassWeight(input, weight, rows.Classes, op), null, op);
        var x = rows.Rows;
        var column = tw.Safe.Unsqueeze(1);
        var hinge = (x - x.Gather(1, column) + margin).Relu();
        if (p == 2) hinge = hinge.Square();
        // Drop the target's own term (always max(0, margin)^p, with no gradient) by masking it out.
        var others = 1 - column.OneHot(rows.Classes).Squeeze(1).To(x.DType);
        var perRow = (hinge * others).Sum(1) / rows.Classes;
        if (tw.RowWeight is not null) perRow *= tw.RowWeight;
        return Reduce(perRow.Reshape(rows.TargetShape), reduction, op);
    }

    /// <summary>Binary hinge loss of a margin classifier: max(0, margin - y x) for targets y in {-1, +1} (the
    /// SVM loss; PyTorch has no function of this name).</summary>
    public static Tensor Hinge(Tensor input, Tensor target, double margin = 1, Reduction reduction = Reduction.Mean)
    {
        const string op = "Hinge";
        var t = PairedTarget(input, target, op);
        foreach (var v in t.ToArray<double>())
            if (Math.Abs(v) != 1)
                throw new ArgumentException($"{op}: targets must be -1 or +1; got {v:G6} (map 0/1 labels with 2 y - 1)");
        return Reduce((margin - t * input).Relu(), reduction, op);
    }
}
