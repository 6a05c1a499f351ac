namespace CnnGen.Training;

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
