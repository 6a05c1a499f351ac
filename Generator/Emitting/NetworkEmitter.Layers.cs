using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Layers;
using CnnGen.Generator.Model;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>
    /// <c>Layers</c>: every layer as a <c>global::CnnGen.Structure.LayerInfo</c> (kind, settings, shapes, the offsets and shapes of
    /// its parameters from <see cref="LayerSpec.ParameterSlices"/>, its state), for tools that read a network's structure
    /// at run time (the ONNX exporter and importer). Prints the spec; decides nothing.
    /// </summary>
    private static void EmitLayerTable(SourceWriter w, NetworkSpec spec)
    {
        const string List = "global::System.Collections.Generic.IReadOnlyList<global::CnnGen.Structure.LayerInfo>";
        w.Line("/// <summary>The layers as data: kind, settings, shapes, parameter and state offsets (read by tools such as CnnGen.Onnx).</summary>");
        w.Line(GeneratedCode);
        w.Line($"public static {List} Layers {{ get; }} = global::System.Array.AsReadOnly(new global::CnnGen.Structure.LayerInfo[]");
        w.Open();
        foreach (var l in spec.Layers)
            w.Line(LayerInfo(l) + ",");
        w.Close(");");
        w.Line($"{List} global::CnnGen.INetwork.Layers => Layers;");
        w.Line();
    }

    private static string LayerShape(TensorShape s) => $"new({I(s.C)}, {I(s.H)}, {I(s.W)}, {(s.IsFlat ? "true" : "false")})";

    private static string Bool(bool b) => b ? "true" : "false";

    /// <summary><c>new("Conv1", LayerOp.Conv2D, input, output) { settings, Parameters = ..., State... }</c>.</summary>
    private static string LayerInfo(LayerSpec l)
    {
        var (op, settings) = l switch
        {
            Conv2DSpec c => ("Conv2D", $"Filters = {I(c.Filters)}, Kernel = {I(c.Kernel)}, Stride = {I(c.Stride)}, Padding = {I(c.Padding)}, Groups = {I(c.Groups)}, Bias = {Bool(c.Bias)}"),
            DenseSpec d => ("Dense", $"Filters = {I(d.Units)}, Bias = {Bool(d.Bias)}"),
            PoolSpec p => (p.IsMax ? "MaxPool" : "AvgPool", $"Kernel = {I(p.Size)}, Stride = {I(p.Stride)}"),
            ActivationSpec a => (a.Function.ToString(), a.Function == ActivationFunction.LeakyReLU ? $"Slope = {R(a.Slope)}" : ""),
            BatchNormSpec b => ("BatchNorm", $"Momentum = {R(b.Momentum)}, Epsilon = {R(b.Epsilon)}"),
            DropoutSpec d => ("Dropout", $"Rate = {R(d.Rate)}"),
            FlattenSpec => ("Flatten", ""),
            GlobalAvgPoolSpec => ("GlobalAvgPool", ""),
            ResidualSpec => ("Residual", ""),
            AddSpec a => ("Add", a.Projection
                ? $"BlockStart = {I(a.BlockStart)}, Projection = true, Filters = {I(a.Output.C)}, Kernel = 1, Stride = {I(a.Stride)}, Bias = true"
                : $"BlockStart = {I(a.BlockStart)}"),
            SoftmaxSpec => ("Softmax", ""),
            _ => throw new System.InvalidOperationException("no LayerInfo for " + l.GetType().Name),
        };
        var parts = new List<string>();
        if (settings.Length > 0) parts.Add(settings);
        var tensors = l.ParameterSlices().Select(s => $"new(\"{s.Name}\", {I(s.Offset)}, new[] {{ {Dims(s.Shape)} }})").ToList();
        if (tensors.Count > 0) parts.Add("Parameters = new global::CnnGen.Structure.ParameterTensor[] { " + string.Join(", ", tensors) + " }");
        if (l.StateCount > 0) parts.Add($"StateOffset = {I(l.StateOffset)}, StateCount = {I(l.StateCount)}");
        string head = $"new(\"{l.Name}\", global::CnnGen.Structure.LayerOp.{op}, {LayerShape(l.Input)}, {LayerShape(l.Output)})";
        return parts.Count == 0 ? head : head + " { " + string.Join(", ", parts) + " }";
    }

    /// <summary>A slice's shape comment <c>(6,1,5,5)</c> as the array elements <c>6, 1, 5, 5</c>.</summary>
    private static string Dims(string shape) => string.Join(", ", shape.Trim('(', ')').Split(','));
}
