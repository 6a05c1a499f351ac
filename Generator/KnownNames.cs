namespace CnnGen.Generator;

/// <summary>Metadata names of the Runtime attributes; the generator never references Runtime.dll.</summary>
internal static class KnownNames
{
    public const string Network = "CnnGen.NetworkAttribute";
    public const string Conv2D = "CnnGen.Conv2DAttribute";
    public const string ReLU = "CnnGen.ReLUAttribute";
    public const string LeakyReLU = "CnnGen.LeakyReLUAttribute";
    public const string Tanh = "CnnGen.TanhAttribute";
    public const string Sigmoid = "CnnGen.SigmoidAttribute";
    public const string MaxPool = "CnnGen.MaxPoolAttribute";
    public const string AvgPool = "CnnGen.AvgPoolAttribute";
    public const string Flatten = "CnnGen.FlattenAttribute";
    public const string Dense = "CnnGen.DenseAttribute";
    public const string Dropout = "CnnGen.DropoutAttribute";
    public const string BatchNorm = "CnnGen.BatchNormAttribute";
    public const string Softmax = "CnnGen.SoftmaxAttribute";

    /// <summary>Every layer attribute, in the order of <see cref="Model.LayerKind"/>.</summary>
    public static readonly string[] Layers =
    {
        Conv2D, ReLU, LeakyReLU, Tanh, Sigmoid, MaxPool, AvgPool, Flatten, Dense, Dropout, BatchNorm, Softmax,
    };
}
