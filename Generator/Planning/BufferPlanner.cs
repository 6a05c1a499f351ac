using System.Collections.Generic;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Planning;

/// <summary>
/// Decides once which buffer holds each layer's output and output gradient, in the batch passes and in Predict,
/// from one rule per kind (<see cref="LayerSpec.PassesInputOn"/>), and records it in the specs.
/// </summary>
internal static class BufferPlanner
{
    public static void Plan(List<LayerSpec> layers)
    {
        bool gradient = false;
        string input = "x", predictInput = "ws.input";
        string? dIn = null;
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            // a gradient exists from the first layer that trains onwards
            gradient |= l.ParameterCount > 0;
            bool alias = l.PassesInputOn(singleSample: false), predictAlias = l.PassesInputOn(singleSample: true);
            string output = alias ? input : $"ws.{l.Prefix}_out";
            // the output's gradient is the input's gradient buffer when the kind passes it on, unless there is none
            // and the layer has parameters to train (then it needs a gradient of its own)
            bool gradientAlias = l.PassesGradientOn && (dIn is not null || l.ParameterCount == 0);
            string? dOutput = gradientAlias ? dIn : gradient ? $"ws.{l.Prefix}_dout" : null;
            string predictOutput = predictAlias ? predictInput : $"ws.{l.Prefix}_out";
            layers[i] = l with
            {
                Buffers = new LayerBuffers(output, dOutput, predictOutput, !alias, !gradientAlias && dOutput is not null, !predictAlias),
            };
            input = output;
            dIn = dOutput;
            predictInput = predictOutput;
        }
    }
}
