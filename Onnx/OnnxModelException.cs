using System;

namespace CnnGen.Onnx;

/// <summary>
/// An ONNX file that cannot be read, or whose graph does not fit the network it is loaded into (or a network that
/// cannot be written). The message names the file and, where one is to blame, the node; <see cref="Node"/> holds it.
/// </summary>
public sealed class OnnxModelException : Exception
{
    /// <summary>The ONNX file, or null when none is involved.</summary>
    public string? FilePath { get; }
    /// <summary>The graph node the problem is at (its name, or its operator and position when it has no name), or null.</summary>
    public string? Node { get; }

    public OnnxModelException(string? filePath, string? node, string message, Exception? inner = null)
        : base(Compose(filePath, node, message), inner)
    {
        FilePath = filePath;
        Node = node;
    }

    private static string Compose(string? filePath, string? node, string message) =>
        (filePath is null ? "" : $"ONNX file '{filePath}': ") + (node is null ? "" : $"node {node}: ") + message;
}
