using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Emitting;

namespace CnnGen.Generator.Model;

/// <summary>How a layer's weights are initialized.</summary>
internal enum InitKind { None, HeNormal, GlorotUniform }

/// <summary>One trainable tensor of a layer: its buffer name, offset in the flat parameters, length and shape.</summary>
internal readonly record struct ParameterSlice(string Name, int Offset, int Length, string Shape);

/// <summary>A workspace buffer a layer needs besides its output: name, values per sample, comment, used by inference.</summary>
internal readonly record struct WorkspaceBuffer(string Name, long PerSample, string Comment, bool Forward);

/// <summary>
/// One layer with its shapes inferred, its place in the flat parameter and state spans, and the buffers planned for it.
/// Each kind's record (in <c>Layers/</c>) also prints itself: its buffers, its calls in the passes, and its kernels.
/// </summary>
internal abstract record LayerSpec
{
    /// <summary>Name in generated code, e.g. <c>Conv1</c>.</summary>
    public string Name { get; init; } = "";
    /// <summary>Buffer prefix, e.g. <c>conv1</c>.</summary>
    public string Prefix { get; init; } = "";
    /// <summary>Position in the network, from 0.</summary>
    public int Index { get; init; }
    public TensorShape Input { get; init; }
    public TensorShape Output { get; init; }
    public int ParameterOffset { get; init; }
    public int ParameterCount { get; init; }
    public int StateOffset { get; init; }
    public int StateCount { get; init; }
    /// <summary>The buffers planned for this layer (<see cref="Planning.BufferPlanner"/>).</summary>
    public LayerBuffers Buffers { get; init; }

    /// <summary>One line for comments and the summary, e.g. <c>Conv2D 1->6, k=5, stride=1, pad=2</c>. Free to reword.</summary>
    public abstract string Describe();

    /// <summary>
    /// The canonical structural form of this layer for the model-file fingerprint: written out per kind, never derived
    /// from <see cref="Describe"/>, so that rewording a description cannot make saved models unloadable.
    /// </summary>
    public abstract string Fingerprint();

    /// <summary>
    /// Backward writes (=) every element of its input gradient instead of accumulating (+=) into a cleared buffer: true
    /// when each input element gets exactly one contribution (element-wise layers, pools whose windows tile the input) or
    /// when the kernel sums an element's contributions where it computes them (BatchNorm, Dense, a padded convolution's
    /// Unpad), which saves clearing the buffer and reading it back.
    /// </summary>
    public virtual bool WritesInputGradient => false;

    /// <summary>
    /// The layer's output is its input, in the batch passes (<paramref name="singleSample"/> false) or in the
    /// single-sample Predict path: it gets no output buffer of its own, and in the batch passes no gradient buffer.
    /// </summary>
    public virtual bool PassesInputOn(bool singleSample) => false;

    /// <summary>In the batch passes, the gradient of the output is the gradient of the input (no buffer of its own).</summary>
    public virtual bool PassesGradientOn => PassesInputOn(singleSample: false);

    /// <summary>
    /// Checks that need the whole network (a block opened here is closed later), once every layer's shape is known;
    /// reports through <paramref name="problem"/> (descriptor, arguments) on this layer.
    /// </summary>
    public virtual void CheckComplete(System.Collections.Generic.IReadOnlyList<LayerSpec> layers,
                                      System.Action<Microsoft.CodeAnalysis.DiagnosticDescriptor, object[]> problem) { }

    /// <summary>Whether the backward pass has anything to do for this layer (Flatten and Softmax have not).</summary>
    public virtual bool HasBackward => true;

    /// <summary>How far apart adjacent windows start (the Predict kernels' vector loads run this far per column).</summary>
    public virtual int WindowStride => 1;

    // ---- storage ---------------------------------------------------------------------------------------------

    /// <summary>Each trainable tensor of the layer, in the order of the flat parameter span.</summary>
    public virtual IEnumerable<ParameterSlice> ParameterSlices() => Enumerable.Empty<ParameterSlice>();

    /// <summary>Comment lines (offset: name shape) for the layer's non-trainable state.</summary>
    public virtual IEnumerable<string> StateLines() => Enumerable.Empty<string>();

    /// <summary>Statements of <c>InitializeParameters</c> for this layer (<c>p</c> the parameters, <c>rng</c> the generator).</summary>
    public virtual void EmitInit(SourceWriter w) { }

    // ---- workspace -------------------------------------------------------------------------------------------

    /// <summary>Buffers besides the output and its gradient (padded input, masks), in workspace order.</summary>
    public virtual IEnumerable<WorkspaceBuffer> ExtraBuffers(bool inputGradient) => Enumerable.Empty<WorkspaceBuffer>();

    /// <summary>Floats of transpose scratch per 64 samples this layer's backward needs.</summary>
    public virtual long Scratch => 0;

    /// <summary>Fields of the workspace besides lane buffers (per-channel statistics).</summary>
    public virtual void EmitWorkspaceFields(SourceWriter w) { }

    // ---- the passes ------------------------------------------------------------------------------------------

    /// <summary>The layer's statements in <c>Forward</c>, after its preamble.</summary>
    public virtual void EmitForward(SourceWriter w, PassContext ctx) => w.Line(DefaultForward(ctx).Call());

    /// <summary>The layer's statements in <c>Backward</c>: comment, clearing of an accumulated input gradient, the call.</summary>
    public virtual void EmitBackward(SourceWriter w, PassContext ctx)
    {
        w.Line($"// {Name}: {Describe()}");
        ctx.ClearInputGradient(w);
        EmitBackwardCall(w, ctx);
    }

    /// <summary>The call of the backward kernel (and what it needs) in <c>Backward</c>.</summary>
    protected virtual void EmitBackwardCall(SourceWriter w, PassContext ctx) => w.Line(DefaultBackward(ctx).Call());

    /// <summary>The layer's kernels: forward, then backward (when <paramref name="ctx"/> needs one).</summary>
    public abstract void EmitKernels(SourceWriter w, PassContext ctx);

    /// <summary><c>{Name}_Forward(x, y, B)</c>.</summary>
    protected KernelSignature DefaultForward(PassContext ctx) => DefaultForwardOn(ctx.X, ctx.Y, "B");

    /// <summary><c>{Name}_Forward(x, y, B)</c> with the given arguments (Predict passes one-sample lanes).</summary>
    protected KernelSignature DefaultForwardOn(string x, string y, string groups) =>
        new KernelSignature(Name + "_Forward").In("x", x).Out("y", y).Groups(groups);

    /// <summary><c>{Name}_Backward(x, y, dy, dx, B)</c>.</summary>
    protected KernelSignature DefaultBackward(PassContext ctx) =>
        new KernelSignature(Name + "_Backward").In("x", ctx.X).In("y", ctx.Y).In("dy", ctx.DY!).Out("dx", ctx.DX!).Groups();

    // ---- single-sample Predict -------------------------------------------------------------------------------

    /// <summary>Single-sample buffers besides the output: (name, values, comment).</summary>
    public virtual IEnumerable<(string Name, long Size, string Comment)> PredictExtraBuffers() =>
        Enumerable.Empty<(string, long, string)>();

    /// <summary>The layer's statements in <c>Predict&lt;TLane&gt;</c>, after its preamble.</summary>
    public virtual void EmitPredict(SourceWriter w, PredictContext ctx) => w.Line(PredictKernel(ctx.X, ctx.Y).Call());

    /// <summary><c>{Name}_Predict(x, y)</c> over plain floats.</summary>
    protected virtual KernelSignature PredictKernel(string x, string y) =>
        new KernelSignature(Name + "_Predict").Floats("x", x).FloatsOut("y", y);

    /// <summary>The layer's <c>_Predict</c> kernel, if it has one (others reuse their batch kernel with Lane1).</summary>
    public virtual void EmitPredictKernel(SourceWriter w) { }
}

/// <summary>Where a layer's output and output gradient live, as planned once for the batch passes and for Predict.</summary>
/// <param name="Out">Batch passes: the layer's output (its own workspace buffer, or the buffer it passes on).</param>
/// <param name="DOut">Batch passes: the gradient of the output, or null when no layer at or before this one trains.</param>
/// <param name="PredictOut">Predict: the single-sample buffer of the output.</param>
/// <param name="OwnsOut">The layer has a workspace buffer <c>{prefix}_out</c> of its own.</param>
/// <param name="OwnsDOut">The layer has a workspace buffer <c>{prefix}_dout</c> of its own.</param>
/// <param name="OwnsPredictOut">The layer has a single-sample buffer <c>{prefix}_out</c> of its own.</param>
internal readonly record struct LayerBuffers(string Out, string? DOut, string PredictOut, bool OwnsOut, bool OwnsDOut, bool OwnsPredictOut);

/// <summary>How much of a kernel window is unrolled.</summary>
/// <param name="Taps">The whole window is written out as straight-line statements.</param>
/// <param name="ChannelBlock">Output channels (or units) computed together, each with its own accumulator.</param>
/// <param name="PositionBlock">Adjacent output columns computed together (forward only), so that a small channel
/// block still has 12-18 independent accumulators.</param>
/// <param name="SharedWeights">Each weight is broadcast once into a register for the block's columns (forward only),
/// instead of once per column inside each FMA.</param>
internal readonly record struct Unrolling(bool Taps, int ChannelBlock, int PositionBlock = 1, bool SharedWeights = false);
