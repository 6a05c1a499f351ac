using System;

namespace CnnGen.Training;

/// <summary>
/// A learning rate as a function of the step (0-based mini-batch count since training began) and the total
/// number of steps of the run. Pure: the same step always gives the same rate, so a resumed run matches.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for 0-based step <paramref name="step"/> of a run of <paramref name="totalSteps"/> steps.</summary>
    public abstract float At(long step, long totalSteps);

    /// <summary>Always <paramref name="learningRate"/>.</summary>
    public static LearningRateSchedule Constant(float learningRate) => new ConstantSchedule(Check(learningRate, nameof(learningRate)));

    /// <summary>Step decay: <c>learningRate * gamma^floor(step / stepSize)</c>.</summary>
    public static LearningRateSchedule StepDecay(float learningRate, long stepSize, float gamma)
    {
        if (stepSize < 1) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be at least 1 step.");
        if (!(gamma > 0) || !float.IsFinite(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be positive and finite.");
        return new StepSchedule(Check(learningRate, nameof(learningRate)), stepSize, gamma);
    }

    /// <summary>
    /// Cosine annealing from <paramref name="learningRate"/> to <paramref name="minimum"/> over the run:
    /// <c>min + (lr - min) * (1 + cos(pi * step / totalSteps)) / 2</c>.
    /// </summary>
    public static LearningRateSchedule Cosine(float learningRate, float minimum = 0f)
        => new CosineSchedule(Check(learningRate, nameof(learningRate)), Check(minimum, nameof(minimum)));

    /// <summary>
    /// One-cycle: linear warm-up from <c>maxLearningRate / initialDivisor</c> to <paramref name="maxLearningRate"/>
    /// over the first <c>round(warmupFraction * totalSteps)</c> steps, then cosine down to
    /// <c>maxLearningRate / initialDivisor / finalDivisor</c> at the last step (PyTorch's <c>OneCycleLR</c> defaults).
    /// </summary>
    public static LearningRateSchedule OneCycle(float maxLearningRate, float warmupFraction = 0.3f, float initialDivisor = 25f, float finalDivisor = 1e4f)
    {
        if (!(warmupFraction >= 0 && warmupFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "The warm-up fraction must be in [0, 1].");
        if (!(initialDivisor >= 1) || !float.IsFinite(initialDivisor)) throw new ArgumentOutOfRangeException(nameof(initialDivisor), initialDivisor, "The initial divisor must be at least 1.");
        if (!(finalDivisor >= 1) || !float.IsFinite(finalDivisor)) throw new ArgumentOutOfRangeException(nameof(finalDivisor), finalDivisor, "The final divisor must be at least 1.");
        return new OneCycleSchedule(Check(maxLearningRate, nameof(maxLearningRate)), warmupFraction, initialDivisor, finalDivisor);
    }

    private static float Check(float rate, string name)
        => rate >= 0 && float.IsFinite(rate) ? rate : throw new ArgumentOutOfRangeException(name, rate, "A learning rate must be finite and not negative.");

    private static double Cosine01(double progress) => 0.5 * (1.0 + Math.Cos(Math.PI * Math.Clamp(progress, 0.0, 1.0)));

    private sealed class ConstantSchedule(float rate) : LearningRateSchedule
    {
        public override float At(long step, long totalSteps) => rate;
        public override string ToString() => $"constant {rate}";
    }

    private sealed class StepSchedule(float rate, long stepSize, float gamma) : LearningRateSchedule
    {
        public override float At(long step, long totalSteps) => (float)(rate * Math.Pow(gamma, Math.Max(0, step) / stepSize));
        public override string ToString() => $"step {rate} x {gamma} every {stepSize} steps";
    }

    private sealed class CosineSchedule(float rate, float minimum) : LearningRateSchedule
    {
        public override float At(long step, long totalSteps)
            => (float)(minimum + (rate - minimum) * Cosine01(totalSteps <= 0 ? 0 : (double)step / totalSteps));
        public override string ToString() => $"cosine {rate} -> {minimum}";
    }

    private sealed class OneCycleSchedule(float max, float warmupFraction, float initialDivisor, float finalDivisor) : LearningRateSchedule
    {
        public override float At(long step, long totalSteps)
        {
            double initial = max / (double)initialDivisor;
            double final = initial / finalDivisor;
            long warmup = (long)Math.Round(warmupFraction * (double)totalSteps);
            // linear warm-up: initial at step 0, max at step `warmup`
            if (step < warmup)
                return (float)(initial + (max - initial) * step / warmup);
            // cosine down: max at step `warmup`, final at the last step (totalSteps - 1)
            long decaySteps = Math.Max(1, totalSteps - 1 - warmup);
            return (float)(final + (max - final) * Cosine01((double)(step - warmup) / decaySteps));
        }

        public override string ToString() => $"one-cycle max {max}, warm-up {warmupFraction:P0}";
    }
}
