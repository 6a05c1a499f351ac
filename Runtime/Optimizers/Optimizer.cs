using System;
using System.Numerics;

namespace CnnGen.Training;

/// <summary>
/// The saved form of an optimizer: its kind, the number of steps taken and its per-parameter buffers
/// (velocity for momentum SGD; first and second moments for Adam and AdamW). Enough to resume exactly.
/// </summary>
/// <param name="Kind">The optimizer kind, e.g. <c>"Sgd"</c>, <c>"Adam"</c>, <c>"AdamW"</c>.</param>
/// <param name="StepCount">Steps taken so far (the Adam bias-correction <c>t</c>).</param>
/// <param name="Buffers">Per-parameter buffers, each as long as the parameter vector (empty before the first step).</param>
public sealed record OptimizerState(string Kind, long StepCount, float[][] Buffers);

/// <summary>
/// Updates a flat parameter vector from its gradient. One call to <see cref="Step"/> per mini-batch; for
/// multi-threaded updates call <see cref="BeginStep"/> once and then <see cref="UpdateRange"/> from each thread on
/// disjoint contiguous ranges (the result is the same as one <see cref="Step"/>).
/// </summary>
public abstract class Optimizer
{
    private float[][] _buffers = [];

    /// <summary>Sets the learning rate and weight decay.</summary>
    protected Optimizer(float learningRate, float weightDecay)
    {
        if (!(learningRate >= 0) || !float.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite and not negative.");
        if (!(weightDecay >= 0) || !float.IsFinite(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be finite and not negative.");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The learning rate of the next step; the trainer sets it from its schedule before every step.</summary>
    public float LearningRate { get; set; }

    /// <summary>Weight decay: coupled L2 (added to the gradient) for SGD and Adam, decoupled for AdamW.</summary>
    public float WeightDecay { get; }

    /// <summary>Steps taken so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>The name stored in <see cref="OptimizerState.Kind"/>.</summary>
    public abstract string Kind { get; }

    /// <summary>How many per-parameter buffers this optimizer keeps.</summary>
    protected abstract int BufferCount { get; }

    /// <summary>Per-parameter buffers, each as long as the parameter vector.</summary>
    protected float[][] Buffers => _buffers;

    /// <summary>One whole update: <see cref="BeginStep"/> then <see cref="UpdateRange"/> over everything.</summary>
    /// <param name="parameters">The parameters, updated in place.</param>
    /// <param name="gradients">The gradient of the loss with respect to <paramref name="parameters"/>.</param>
    /// <param name="gradientScale">A factor applied to the gradient first (e.g. a clipping factor).</param>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float gradientScale = 1f)
    {
        BeginStep(parameters.Length);
        UpdateRange(parameters, gradients, 0, gradientScale);
    }

    /// <summary>Starts a step over <paramref name="parameterCount"/> parameters: allocates buffers the first time and counts the step.</summary>
    public void BeginStep(int parameterCount)
    {
        if (_buffers.Length != BufferCount || (BufferCount > 0 && _buffers[0].Length != parameterCount))
        {
            if (StepCount > 0 && BufferCount > 0)
                throw new InvalidOperationException($"{Kind} optimizer holds state for {_buffers[0].Length} parameters but was given {parameterCount}.");
            _buffers = new float[BufferCount][];
            for (int i = 0; i < BufferCount; i++) _buffers[i] = new float[parameterCount];
        }
        StepCount++;
    }

    /// <summary>
    /// Updates parameters <paramref name="start"/> .. start+parameters.Length-1 of the step begun by
    /// <see cref="BeginStep"/>. Safe to call concurrently on disjoint ranges.
    /// </summary>
    /// <param name="parameters">A slice of the parameter vector, starting at <paramref name="start"/>.</param>
    /// <param name="gradients">The gradient slice matching <paramref name="parameters"/>.</param>
    /// <param name="start">Where the slice starts in the whole vector (indexes the optimizer's buffers).</param>
    /// <param name="gradientScale">A factor applied to the gradient first (e.g. a clipping factor).</param>
    public void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int start, float gradientScale = 1f)
    {
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"{gradients.Length} gradients for {parameters.Length} parameters.", nameof(gradients));
        if (StepCount == 0)
            throw new InvalidOperationException("Call BeginStep before UpdateRange.");
        if (BufferCount > 0 && (start < 0 || start + parameters.Length > _buffers[0].Length))
            throw new ArgumentOutOfRangeException(nameof(start), $"Range {start}..{start + parameters.Length} is outside the {_buffers[0].Length} parameters.");
        Update(parameters, gradients, start, gradientScale);
    }

    /// <summary>The update rule over one contiguous range; <see cref="StepCount"/> is the current step t (1 on the first).</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, float gradientScale);

    /// <summary>A copy of the optimizer's state (step count and buffers).</summary>
    public OptimizerState ExportState()
    {
        var copies = new float[_buffers.Length][];
        for (int i = 0; i < copies.Length; i++) copies[i] = (float[])_buffers[i].Clone();
        return new OptimizerState(Kind, StepCount, copies);
    }

    /// <summary>Restores state from <see cref="ExportState"/>; the kind and buffer count must match.</summary>
    public void ImportState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Kind)
            throw new InvalidOperationException($"Optimizer state is for '{state.Kind}' but this optimizer is '{Kind}'.");
        if (state.StepCount < 0)
            throw new InvalidOperationException($"Optimizer state has a negative step count {state.StepCount}.");
        if (state.Buffers.Length != 0 && state.Buffers.Length != BufferCount)
            throw new InvalidOperationException($"{Kind} optimizer state has {state.Buffers.Length} buffers; {BufferCount} expected.");
        for (int i = 1; i < state.Buffers.Length; i++)
            if (state.Buffers[i].Length != state.Buffers[0].Length)
                throw new InvalidOperationException($"{Kind} optimizer state buffers differ in length.");
        var copies = new float[state.Buffers.Length][];
        for (int i = 0; i < copies.Length; i++) copies[i] = (float[])state.Buffers[i].Clone();
        _buffers = copies;
        StepCount = state.StepCount;
    }

    /// <summary>The Euclidean norm of a gradient vector, summed in double in index order.</summary>
    public static double GlobalNorm(ReadOnlySpan<float> gradients) => Math.Sqrt(SumOfSquares(gradients));

    /// <summary>Sum of squares in double, in index order.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += (double)v * v;
        return sum;
    }

    /// <summary>
    /// The factor that clips a gradient of global norm <paramref name="norm"/> to at most <paramref name="maxNorm"/>:
    /// <c>min(1, maxNorm / (norm + 1e-6))</c>, as in PyTorch's <c>clip_grad_norm_</c>.
    /// </summary>
    public static float ClipFactor(double norm, float maxNorm) => (float)Math.Min(1.0, maxNorm / (norm + 1e-6));
}

/// <summary>
/// Stochastic gradient descent, optionally with momentum (heavy ball or Nesterov) and coupled L2 weight decay,
/// as PyTorch's <c>SGD</c> (no dampening):
/// <code>
/// g = scale * grad + weightDecay * p
/// v = momentum * v + g                  (momentum &gt; 0)
/// g = nesterov ? g + momentum * v : v   (momentum &gt; 0)
/// p = p - lr * g
/// </code>
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer; <paramref name="nesterov"/> needs a positive <paramref name="momentum"/>.</summary>
    public Sgd(float learningRate, float momentum = 0f, bool nesterov = false, float weightDecay = 0f)
        : base(learningRate, weightDecay)
    {
        if (!(momentum >= 0 && momentum < 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        if (nesterov && momentum == 0)
            throw new ArgumentException("Nesterov momentum needs a momentum above 0.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>The momentum coefficient (0: plain SGD).</summary>
    public float Momentum { get; }

    /// <summary>Whether the Nesterov form of momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override string Kind => "Sgd";

    /// <inheritdoc/>
    protected override int BufferCount => Momentum > 0 ? 1 : 0;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, float gradientScale)
    {
        float lr = LearningRate, wd = WeightDecay, mu = Momentum;
        // Vectors first, then the scalar tail; the same operations in the same order (no fused multiply-add),
        // so every element gets exactly the value the scalar formula gives.
        int n = parameters.Length, i = 0, width = Vector<float>.Count;
        if (mu == 0)
        {
            for (; i + width <= n; i += width)
            {
                var p = new Vector<float>(parameters.Slice(i));
                var g = gradientScale * new Vector<float>(gradients.Slice(i)) + wd * p;
                (p - lr * g).CopyTo(parameters.Slice(i));
            }
            for (; i < n; i++)
            {
                float g = gradientScale * gradients[i] + wd * parameters[i];
                parameters[i] -= lr * g;
            }
            return;
        }
        Span<float> velocity = Buffers[0].AsSpan(start, n);
        for (; i + width <= n; i += width)
        {
            var p = new Vector<float>(parameters.Slice(i));
            var g = gradientScale * new Vector<float>(gradients.Slice(i)) + wd * p;
            var v = mu * new Vector<float>(velocity.Slice(i)) + g;
            v.CopyTo(velocity.Slice(i));
            (p - lr * (Nesterov ? g + mu * v : v)).CopyTo(parameters.Slice(i));
        }
        for (; i < n; i++)
        {
            float g = gradientScale * gradients[i] + wd * parameters[i];
            float v = mu * velocity[i] + g;
            velocity[i] = v;
            parameters[i] -= lr * (Nesterov ? g + mu * v : v);
        }
    }
}

/// <summary>
/// Adam (Kingma and Ba) with coupled L2 weight decay, as PyTorch's <c>Adam</c>:
/// <code>
/// g = scale * grad + weightDecay * p
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g
/// p = p - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
/// </code>
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates the optimizer with the usual defaults (beta1 0.9, beta2 0.999, epsilon 1e-8).</summary>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f)
        : base(learningRate, weightDecay)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Decay of the first-moment average.</summary>
    public float Beta1 { get; }
    /// <summary>Decay of the second-moment average.</summary>
    public float Beta2 { get; }
    /// <summary>Added to the denominator for stability.</summary>
    public float Epsilon { get; }

    /// <summary>True for AdamW: weight decay is applied to the parameters directly, not through the gradient.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <inheritdoc/>
    public override string Kind => "Adam";

    /// <inheritdoc/>
    protected override int BufferCount => 2;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, float gradientScale)
    {
        float lr = LearningRate, b1 = Beta1, b2 = Beta2, eps = Epsilon;
        float coupled = DecoupledWeightDecay ? 0f : WeightDecay;
        float decay = DecoupledWeightDecay ? 1f - lr * WeightDecay : 1f;
        // bias corrections for step t
        float correction1 = (float)(1.0 - Math.Pow(b1, StepCount));
        float correction2 = (float)(1.0 - Math.Pow(b2, StepCount));
        Span<float> m = Buffers[0].AsSpan(start, parameters.Length);
        Span<float> v = Buffers[1].AsSpan(start, parameters.Length);
        // Vectors first (same operations in the same order as the scalar tail, no fused multiply-add).
        int n = parameters.Length, i = 0, width = Vector<float>.Count;
        for (; i + width <= n; i += width)
        {
            var p0 = new Vector<float>(parameters.Slice(i));
            var p = p0 * decay;
            var g = gradientScale * new Vector<float>(gradients.Slice(i)) + coupled * p0;
            var mi = b1 * new Vector<float>(m.Slice(i)) + (1f - b1) * g;
            var vi = b2 * new Vector<float>(v.Slice(i)) + (1f - b2) * g * g;
            mi.CopyTo(m.Slice(i));
            vi.CopyTo(v.Slice(i));
            (p - lr * (mi / correction1) / (Vector.SquareRoot(vi / correction2) + new Vector<float>(eps))).CopyTo(parameters.Slice(i));
        }
        for (; i < n; i++)
        {
            float p = parameters[i] * decay;
            float g = gradientScale * gradients[i] + coupled * parameters[i];
            float mi = b1 * m[i] + (1f - b1) * g;
            float vi = b2 * v[i] + (1f - b2) * g * g;
            m[i] = mi;
            v[i] = vi;
            parameters[i] = p - lr * (mi / correction1) / (MathF.Sqrt(vi / correction2) + eps);
        }
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter): Adam with decoupled weight decay, as PyTorch's <c>AdamW</c>:
/// first <c>p = p * (1 - lr * weightDecay)</c>, then the Adam step with the plain gradient.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer; weight decay defaults to 0.01 as in PyTorch.</summary>
    public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(learningRate, beta1, beta2, epsilon, weightDecay) { }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;

    /// <inheritdoc/>
    public override string Kind => "AdamW";
}
