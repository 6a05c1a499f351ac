using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Emitting;

/// <summary>One layer in the batch passes: the buffers it reads and writes, as planned in its spec.</summary>
internal sealed class PassContext
{
    public PassContext(NetworkSpec network, LayerSpec layer)
    {
        Network = network;
        Layer = layer;
    }

    public NetworkSpec Network { get; }
    public LayerSpec Layer { get; }
    private LayerSpec? Previous => Layer.Index == 0 ? null : Network.Layers[Layer.Index - 1];

    /// <summary>The input: <c>x</c> for the first layer, else the previous layer's output.</summary>
    public string X => Previous?.Buffers.Out ?? "x";
    public string Y => Layer.Buffers.Out;
    /// <summary>The gradient of the input, or null when nothing before this layer trains.</summary>
    public string? DX => Previous?.Buffers.DOut;
    public string? DY => Layer.Buffers.DOut;
    /// <summary>Whether the layer must compute the gradient of its input.</summary>
    public bool InputGradient => DX is not null;
    /// <summary>The layer after this one.</summary>
    public LayerSpec Next => Network.Layers[Layer.Index + 1];

    /// <summary>Backward accumulates into dx, so it starts at 0; cleared just before use, while it is cache-warm.</summary>
    public void ClearInputGradient(SourceWriter w)
    {
        if (DX is not null && !Layer.WritesInputGradient)
            w.Line($"{ArraySlice(DX, "B * " + I(Layer.Input.Size))}.Clear();");
    }
}

/// <summary>One layer in the single-sample <c>Predict&lt;TLane&gt;</c>: the plain-float buffers it reads and writes.</summary>
internal sealed class PredictContext
{
    public PredictContext(NetworkSpec network, LayerSpec layer)
    {
        Network = network;
        Layer = layer;
    }

    public NetworkSpec Network { get; }
    public LayerSpec Layer { get; }
    public string X => Layer.Index == 0 ? "ws.input" : Network.Layers[Layer.Index - 1].Buffers.PredictOut;
    public string Y => Layer.Buffers.PredictOut;
}
