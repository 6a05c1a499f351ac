using System;
using System.Collections.Generic;
using CnnGen.Structure;

namespace CnnGen;

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
    /// <summary>
    /// The layers as data (kind, settings, shapes, parameter and state offsets), in order; the generator writes them.
    /// Empty for a network written by hand.
    /// </summary>
    IReadOnlyList<LayerInfo> Layers => Array.Empty<LayerInfo>();

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
