using System;

namespace CnnGen;

/// <summary>What one training or loss step over a mini-batch produced.</summary>
/// <param name="LossSum">Sum of the cross-entropy losses of the valid samples (not the mean).</param>
/// <param name="Correct">How many valid samples had their label as the arg-max of the output.</param>
public readonly record struct StepResult(double LossSum, int Correct);

/// <summary>
/// The network-agnostic face of every generated network: the trainer, optimizers and checkpoints use only this.
/// </summary>
/// <remarks>
/// Batches are passed in the lanes layout the generated kernels use: samples are taken <c>lanes</c> at a time
/// into groups, and within a group every scalar of one sample's input is followed by the same scalar of the
/// next sample: <c>input[((group * InputSize) + element) * lanes + lane]</c> holds element <c>element</c>
/// (flattened C,H,W) of sample <c>group * lanes + lane</c>. Lanes past <c>count</c> in the last group are
/// padding: they are ignored in the loss, the gradients and batch statistics. <see cref="LaneLayout"/> packs
/// batches. Supported lane counts are 1, 4, 8 and 16 (<see cref="LaneWidths"/>).
/// </remarks>
public interface INetwork
{
    /// <summary>The name of the network class.</summary>
    string Name { get; }
    int InputChannels { get; }
    int InputHeight { get; }
    int InputWidth { get; }
    /// <summary>Values per input sample: channels x height x width.</summary>
    int InputSize { get; }
    /// <summary>Classes (outputs of the final softmax).</summary>
    int OutputSize { get; }
    /// <summary>Trainable parameters: the length of <see cref="Parameters"/> and <see cref="Gradients"/>.</summary>
    int ParameterCount { get; }
    /// <summary>Non-trainable state saved with the model (BatchNorm running statistics): the length of <see cref="State"/>.</summary>
    int StateCount { get; }
    /// <summary>A text that identifies the architecture (input shape and every layer with its settings).</summary>
    string Fingerprint { get; }
    /// <summary>Keras-style summary: each layer with its output shape and parameter count.</summary>
    string Summary { get; }

    /// <summary>Every trainable parameter, layer by layer, in one flat span.</summary>
    Span<float> Parameters { get; }
    /// <summary>The network's own gradient buffer, laid out like <see cref="Parameters"/>.</summary>
    Span<float> Gradients { get; }
    /// <summary>Running statistics and other non-trainable state, laid out layer by layer.</summary>
    Span<float> State { get; }

    /// <summary>He (ReLU family) or Glorot initialization from <paramref name="seed"/>; biases 0; state reset.</summary>
    void InitializeParameters(ulong seed);
    /// <summary>Sets <see cref="Gradients"/> to 0.</summary>
    void ZeroGrad();

    /// <summary>Activation buffers for batches of up to <paramref name="maxSamples"/> samples at <paramref name="lanes"/> per value.</summary>
    NetworkWorkspace CreateWorkspace(int lanes, int maxSamples);

    /// <summary>
    /// Training-mode forward pass, softmax cross-entropy against <paramref name="labels"/>, and backward pass.
    /// Adds <paramref name="gradientScale"/> times the gradient of the summed loss to <paramref name="gradients"/>
    /// (it accumulates: zero it first). Dropout masks are drawn from <paramref name="noiseSeed"/> and the
    /// sample's index in this call, so every lane width draws the same masks.
    /// </summary>
    StepResult TrainStep(NetworkWorkspace workspace, ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int count,
                         float gradientScale, Span<float> gradients, ulong noiseSeed);

    /// <summary>Training-mode forward pass and loss only (what <see cref="TrainStep"/> differentiates).</summary>
    StepResult Loss(NetworkWorkspace workspace, ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int count, ulong noiseSeed);

    /// <summary>Inference-mode forward pass: writes <paramref name="count"/> x <see cref="OutputSize"/> probabilities, sample by sample.</summary>
    void Infer(NetworkWorkspace workspace, ReadOnlySpan<float> input, int count, Span<float> probabilities);

    /// <summary>Blends the batch statistics of the last <see cref="TrainStep"/> on <paramref name="workspace"/> into <see cref="State"/>. No-op without BatchNorm.</summary>
    void UpdateRunningStatistics(NetworkWorkspace workspace);
}

/// <summary>Activation and scratch buffers for one thread's batches; create with <see cref="INetwork.CreateWorkspace"/>.</summary>
public abstract class NetworkWorkspace
{
    protected NetworkWorkspace(int lanes, int maxSamples)
    {
        LaneWidths.Check(lanes, nameof(lanes));
        if (maxSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(maxSamples), maxSamples, "A workspace must hold at least one sample.");
        Lanes = lanes;
        MaxSamples = maxSamples;
        Groups = (maxSamples + lanes - 1) / lanes;
    }

    /// <summary>Samples per SIMD value: 1, 4, 8 or 16 (<see cref="LaneWidths"/>).</summary>
    public int Lanes { get; }
    /// <summary>The largest batch this workspace holds.</summary>
    public int MaxSamples { get; }
    /// <summary>Lane groups: <c>ceil(MaxSamples / Lanes)</c>.</summary>
    public int Groups { get; }

    /// <summary>Checks a batch against this workspace and returns its lane-group count; throws a clear error otherwise.</summary>
    public int CheckBatch(int count, int inputLength, int inputSize)
    {
        if (count < 1 || count > MaxSamples)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Batch of {count} samples does not fit a workspace made for 1..{MaxSamples}.");
        int groups = (count + Lanes - 1) / Lanes;
        int needed = groups * inputSize * Lanes;
        if (inputLength < needed)
            throw new ArgumentException($"Input holds {inputLength} values; a batch of {count} samples at {Lanes} lanes needs {needed} ({groups} groups x {inputSize} x {Lanes}).", "input");
        return groups;
    }

    /// <summary>
    /// Lane groups per chunk when a long batch is run for inference: as many as keep one chunk's activations within
    /// about 4 MB, so each layer's output is still in the cache when the next layer reads it (at least 1).
    /// </summary>
    public static int ChunkGroups(long activationBytesPerGroup) =>
        (int)Math.Clamp((4L << 20) / Math.Max(1, activationBytesPerGroup), 1, int.MaxValue);

    /// <summary>
    /// The fastest lane count this CPU runs natively: 16 with accelerated Vector512 (AVX-512), 8 with Vector256 (AVX2),
    /// 4 with Vector128 (ARM64 NEON, x64 without AVX), else 1; and 1 in WebAssembly.
    /// </summary>
    /// <remarks>
    /// In the browser .NET 10 interprets the IL (without the wasm-tools workload's AOT), and there one sample per value
    /// is both the fastest and the only right choice, measured in Chromium 156 on LeNet-5's Predict: 5.1 ms at 1 lane,
    /// 44 ms at 4 lanes (Lane4's exact fused multiply-add emulation: WebAssembly has no FMA instruction), 7.9 ms at 4 lanes
    /// with plain multiply-add; and Lane4's emulated kernels return wrong values (NaN) from the third call on, once the
    /// interpreter has optimized them, although each Lane4 operation alone is right there (Sample.Web's <c>?selftest</c>).
    /// </remarks>
    public static int PreferredLanes =>
        OperatingSystem.IsBrowser() || OperatingSystem.IsWasi() ? 1 :
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 16 :
        System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 8 :
        System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? 4 : 1;
}
