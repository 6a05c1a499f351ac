using System;
using CnnGen.Data;

namespace CnnGen.Sample.Tests.Runtime;

/// <summary>
/// A hand-written <see cref="INetwork"/> for testing the runtime without the generator: softmax regression
/// (logits = W x + b, W is classes x inputs) over the lanes layout, with optional inverted dropout on the input
/// (to exercise noise seeds) and one state value, a running mean of the batch's mean logit of class 0
/// (to exercise <see cref="INetwork.State"/> and <see cref="INetwork.UpdateRunningStatistics"/>).
/// </summary>
internal sealed class LinearNet : INetwork
{
    private readonly float[] _parameters;
    private readonly float[] _gradients;
    private readonly float[] _state = new float[1];
    private readonly float _dropout;

    public LinearNet(int channels, int height, int width, int classes, float dropout = 0f, string name = "LinearNet")
    {
        InputChannels = channels;
        InputHeight = height;
        InputWidth = width;
        InputSize = channels * height * width;
        OutputSize = classes;
        _dropout = dropout;
        Name = name;
        _parameters = new float[classes * InputSize + classes];
        _gradients = new float[_parameters.Length];
    }

    public string Name { get; }
    public int InputChannels { get; }
    public int InputHeight { get; }
    public int InputWidth { get; }
    public int InputSize { get; }
    public int OutputSize { get; }
    public int ParameterCount => _parameters.Length;
    public int StateCount => 1;
    public string Fingerprint => $"LinearNet(in={InputChannels}x{InputHeight}x{InputWidth},out={OutputSize},dropout={_dropout})";
    public string Summary => $"Dense {InputSize}->{OutputSize}: {ParameterCount} parameters";
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _gradients;
    public Span<float> State => _state;

    private int WeightCount => OutputSize * InputSize;

    public void InitializeParameters(ulong seed)
    {
        var rng = new Rng(seed);
        Initializers.GlorotUniform(_parameters.AsSpan(0, WeightCount), InputSize, OutputSize, ref rng);
        _parameters.AsSpan(WeightCount).Clear();
        _state[0] = 0;
    }

    public void ZeroGrad() => Array.Clear(_gradients);

    public NetworkWorkspace CreateWorkspace(int lanes, int maxSamples) => new Workspace(lanes, maxSamples, InputSize, OutputSize);

    private sealed class Workspace : NetworkWorkspace
    {
        public Workspace(int lanes, int maxSamples, int inputSize, int classes) : base(lanes, maxSamples)
        {
            Logits = new float[Groups * classes * lanes];
            DLogits = new float[Logits.Length];
            Mask = new float[Groups * inputSize * lanes];
            Dropped = new float[Mask.Length];
        }

        public float[] Logits { get; }
        public float[] DLogits { get; }
        public float[] Mask { get; }
        public float[] Dropped { get; }
        public float BatchMeanLogit0 { get; set; }
    }

    // x (G,I,L) -> logits (G,C,L); in training mode with dropout, x is masked first.
    private ReadOnlySpan<float> Forward(Workspace ws, ReadOnlySpan<float> input, int count, bool training, ulong noiseSeed)
    {
        int groups = ws.CheckBatch(count, input.Length, InputSize);
        int lanes = ws.Lanes, inputs = InputSize, classes = OutputSize;
        ReadOnlySpan<float> x = input;
        if (training && _dropout > 0)
        {
            Kernels.DropoutMask(ws.Mask, groups, inputs, lanes, _dropout, noiseSeed, layer: 0);
            for (int i = 0; i < groups * inputs * lanes; i++) ws.Dropped[i] = input[i] * ws.Mask[i];
            x = ws.Dropped;
        }
        ReadOnlySpan<float> w = _parameters.AsSpan(0, WeightCount), b = _parameters.AsSpan(WeightCount);
        for (int g = 0; g < groups; g++)
            for (int k = 0; k < classes; k++)
                for (int l = 0; l < lanes; l++)
                {
                    float sum = b[k];
                    for (int e = 0; e < inputs; e++) sum += w[k * inputs + e] * x[(g * inputs + e) * lanes + l];
                    ws.Logits[(g * classes + k) * lanes + l] = sum;
                }
        return x;
    }

    public StepResult TrainStep(NetworkWorkspace workspace, ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int count,
                                float gradientScale, Span<float> gradients, ulong noiseSeed)
    {
        var ws = (Workspace)workspace;
        ReadOnlySpan<float> x = Forward(ws, input, count, training: true, noiseSeed);
        int lanes = ws.Lanes, inputs = InputSize, classes = OutputSize, groups = (count + lanes - 1) / lanes;
        var result = Kernels.SoftmaxCrossEntropy(ws.Logits, labels, count, lanes, classes, gradientScale, ws.DLogits);
        // batch statistic for UpdateRunningStatistics: mean logit of class 0 over valid samples
        double mean = 0;
        for (int s = 0; s < count; s++) mean += ws.Logits[((s / lanes) * classes) * lanes + s % lanes];
        ws.BatchMeanLogit0 = (float)(mean / count);
        // backward, accumulating (+=): dW[k,e] += sum_lanes dlogits * x, db[k] += sum_lanes dlogits (padding dlogits are 0)
        Span<float> dw = gradients.Slice(0, WeightCount), db = gradients.Slice(WeightCount, classes);
        for (int g = 0; g < groups; g++)
            for (int k = 0; k < classes; k++)
                for (int l = 0; l < lanes; l++)
                {
                    float d = ws.DLogits[(g * classes + k) * lanes + l];
                    if (d == 0f) continue;
                    db[k] += d;
                    for (int e = 0; e < inputs; e++) dw[k * inputs + e] += d * x[(g * inputs + e) * lanes + l];
                }
        return result;
    }

    public StepResult Loss(NetworkWorkspace workspace, ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int count, ulong noiseSeed)
    {
        var ws = (Workspace)workspace;
        Forward(ws, input, count, training: true, noiseSeed);
        return Kernels.SoftmaxCrossEntropy(ws.Logits, labels, count, ws.Lanes, OutputSize, 1f, Span<float>.Empty);
    }

    public void Infer(NetworkWorkspace workspace, ReadOnlySpan<float> input, int count, Span<float> probabilities)
    {
        var ws = (Workspace)workspace;
        Forward(ws, input, count, training: false, 0);
        Kernels.Softmax(ws.Logits, count, ws.Lanes, OutputSize, probabilities);
    }

    public void UpdateRunningStatistics(NetworkWorkspace workspace)
        => _state[0] = 0.9f * _state[0] + 0.1f * ((Workspace)workspace).BatchMeanLogit0;
}

/// <summary>Synthetic, linearly separable image data: each class lights up its own block of pixels, plus noise.</summary>
internal static class SyntheticData
{
    public static ImageDataset Make(int count, int classes, int height, int width, ulong seed, string name = "synthetic")
    {
        int size = height * width;
        var pixels = new byte[count * size];
        var labels = new byte[count];
        var rng = new Rng(seed);
        int block = size / classes;
        for (int s = 0; s < count; s++)
        {
            int label = rng.NextInt(classes);
            labels[s] = (byte)label;
            for (int e = 0; e < size; e++)
            {
                int noise = rng.NextInt(120);
                bool lit = e / block == label;
                pixels[s * size + e] = (byte)(lit ? 50 + noise : noise);
            }
        }
        return new ImageDataset(pixels, labels, 1, height, width, classes, name);
    }
}
