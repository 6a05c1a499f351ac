using System;

namespace CnnGen;

/// <summary>
/// Marks a <c>partial class</c> as a CnnGen network and gives the shape of one input sample.
/// The layers follow as attributes on the same declaration, in source order.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network whose input is <paramref name="channels"/> x <paramref name="height"/> x <paramref name="width"/>.</summary>
    public NetworkAttribute(int channels, int height, int width)
    {
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Declares a network whose input is a vector of <paramref name="features"/> values (1 x 1 x features).</summary>
    public NetworkAttribute(int features) : this(1, 1, features) { }

    /// <summary>Input channels.</summary>
    public int Channels { get; }
    /// <summary>Input height.</summary>
    public int Height { get; }
    /// <summary>Input width.</summary>
    public int Width { get; }
    /// <summary>How far kernel windows are unrolled in the generated code.</summary>
    public Unroll Unroll { get; set; } = Unroll.Auto;
}
