using System;

namespace CnnGen.Training;

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
