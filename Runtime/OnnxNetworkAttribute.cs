using System;

namespace CnnGen;

/// <summary>
/// Marks a <c>partial class</c> as the CnnGen network of an ONNX model: the source generator reads the model at compile
/// time (its graph becomes the layers, its input the input shape) and emits the same specialized code as for a network
/// declared with <see cref="NetworkAttribute"/> and layer attributes, with the model's weights compiled in (the
/// constructor loads them; <c>LoadOnnxWeights()</c> restores them). The file must be an additional file of the project:
/// <c>&lt;AdditionalFiles Include="models/lenet5.onnx" /&gt;</c>. An operator or setting CnnGen has no layer for is a
/// compiler error (CNN030) naming the node.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class OnnxNetworkAttribute : Attribute
{
    /// <summary>The network of the ONNX model at <paramref name="path"/>: the additional file whose path is this one or ends with it (<c>"lenet5.onnx"</c>, <c>"models/lenet5.onnx"</c>).</summary>
    public OnnxNetworkAttribute(string path) => Path = path;

    /// <summary>The model file, as its additional file's path or the end of it.</summary>
    public string Path { get; }
    /// <summary>How far kernel windows are unrolled in the generated code.</summary>
    public Unroll Unroll { get; set; } = Unroll.Auto;
}
