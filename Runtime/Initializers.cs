using System;

namespace CnnGen;

/// <summary>Weight initializers used by generated <c>InitializeParameters</c>.</summary>
public static class Initializers
{
    /// <summary>He (Kaiming) normal: N(0, 2 / fanIn), for layers followed by ReLU or LeakyReLU.</summary>
    public static void HeNormal(Span<float> weights, int fanIn, ref Rng rng)
    {
        double std = Math.Sqrt(2.0 / fanIn);
        for (int i = 0; i < weights.Length; i++)
            weights[i] = (float)(rng.NextGaussian() * std);
    }

    /// <summary>Glorot (Xavier) uniform: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)), for every other layer.</summary>
    public static void GlorotUniform(Span<float> weights, int fanIn, int fanOut, ref Rng rng)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < weights.Length; i++)
            weights[i] = (float)((rng.NextDouble() * 2.0 - 1.0) * limit);
    }
}
