using Engine.Lab.Sequence;
using Engine.Nn;
using Engine.Optim;

namespace Engine.Lab.Tests.Sequence;

[TestClass]
public sealed class ParaGruLanguageModelTests
{
    private const string Text =
        "the quick brown fox jumps over the lazy dog while the cat sleeps in the warm sun. " +
        "a recurrent network reads one character at a time and keeps a state of what it has seen. " +
        "newton's method solves the whole sequence at once when the cell is smooth and the steps are many. ";

    /// <summary>Embedding, ParaGRU, linear read-out: next-character logits for every position.</summary>
    private sealed class CharModel : Module<Tensor, Tensor>
    {
        public CharModel(int vocabulary, ulong seed)
        {
            var generator = new Generator(seed);
            Embed = RegisterModule("embed", new Embedding(vocabulary, 8, dtype: DType.Float64, generator: generator));
            Cell = RegisterModule("cell", new ParaGru(8, 16, heads: 2, dtype: DType.Float64, generator: generator));
            Head = RegisterModule("head", new Linear(16, vocabulary, dtype: DType.Float64, generator: generator));
        }

        public Embedding Embed { get; }

        public ParaGru Cell { get; }

        public Linear Head { get; }

        protected override Tensor ForwardCore(Tensor input) => Head.Forward(Cell.Forward(Embed.Forward(input)));
    }

    private static List<double> Train(ParaRnnSolver solver, int[] tokens, int vocabulary, int steps)
    {
        const int batch = 4, length = 32;
        var model = new CharModel(vocabulary, seed: 21);
        model.Cell.Solver = solver;
        model.Cell.Options = new ParaRnnOptions { Iterations = 30, Tolerance = 1e-13 };
        var optimizer = new Adam(model.Parameters(), lr: 0.01);
        var losses = new List<double>();
        for (var step = 0; step < steps; step++)
        {
            var input = new long[batch * length];
            var target = new long[batch * length];
            for (var b = 0; b < batch; b++)
            {
                var start = (step * 37 + b * 101) % (tokens.Length - length - 1);
                for (var t = 0; t < length; t++)
                {
                    input[b * length + t] = tokens[start + t];
                    target[b * length + t] = tokens[start + t + 1];
                }
            }
            var logits = model.Forward(Tensor.FromArray(input, batch, length));
            var loss = Losses.CrossEntropy(logits.Reshape(batch * length, vocabulary), Tensor.FromArray(target));
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            losses.Add(loss.Item());
        }
        return losses;
    }

    [TestMethod]
    public void ParallelTrainingFollowsTheSequentialLossCurve()
    {
        var alphabet = Text.Distinct().Order().ToArray();
        var tokens = Text.Select(c => Array.IndexOf(alphabet, c)).ToArray();
        var sequential = Train(ParaRnnSolver.Sequential, tokens, alphabet.Length, 100);
        var parallel = Train(ParaRnnSolver.Newton, tokens, alphabet.Length, 100);
        for (var i = 0; i < sequential.Count; i++)
            Assert.AreEqual(sequential[i], parallel[i], 1e-4, $"step {i}: sequential {sequential[i]}, parallel {parallel[i]}");
        Assert.IsTrue(parallel[^10..].Average() < parallel[..10].Average() - 0.5,
            $"the model should learn: first losses {parallel[..10].Average():F3}, last {parallel[^10..].Average():F3}");
    }
}
