using System;
using System.Numerics;

namespace CnnGen.Training;

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
