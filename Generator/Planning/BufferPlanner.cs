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
            string? dOutput = l.PassesGradientOn ? dIn : gradient ? $"ws.{l.Prefix}_dout" : null;
            string predictOutput = predictAlias ? predictInput : $"ws.{l.Prefix}_out";
            layers[i] = l with
            {
                Buffers = new LayerBuffers(output, dOutput, predictOutput, !alias, !l.PassesGradientOn && dOutput is not null, !predictAlias),
            };
            input = output;
            dIn = dOutput;
            predictInput = predictOutput;
        }
    }
}
