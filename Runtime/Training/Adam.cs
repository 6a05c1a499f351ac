using System;
using System.Numerics;

namespace CnnGen.Training;

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
