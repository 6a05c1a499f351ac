using System;
using System.Linq;
using CnnGen;
using CnnGen.Structure;
using Xunit;

namespace CnnGen.Onnx.Tests;

/// <summary>The generated <see cref="INetwork.Layers"/> table covers the flat parameters and state exactly.</summary>
public sealed class LayerTableTests
{
    [Theory]
    [MemberData(nameof(ExportTests.Networks), MemberType = typeof(ExportTests))]
    public void The_parameter_tensors_tile_Parameters_and_BatchNorm_state_tiles_State(string name, Func<INetwork> create)
    {
        var net = create();
        int next = 0;
        foreach (var t in net.Layers.SelectMany(l => l.Parameters))
        {
            Assert.True(t.Offset == next, $"{name}: {t.Name} starts at {t.Offset}, expected {next}");
            next += t.Length;
        }
        Assert.Equal(net.ParameterCount, next);
        int state = 0;
        foreach (var l in net.Layers.Where(l => l.StateCount > 0))
        {
            Assert.Equal(LayerOp.BatchNorm, l.Op);
            Assert.Equal(state, l.StateOffset);
            Assert.Equal(2 * l.Input.C, l.StateCount);
            state += l.StateCount;
        }
        Assert.Equal(net.StateCount, state);
        Assert.Equal(LayerOp.Softmax, net.Layers[^1].Op);
        Assert.Equal(net.InputSize, net.Layers[0].Input.Size);
        for (int i = 1; i < net.Layers.Count; i++)
            Assert.Equal(net.Layers[i - 1].Output, net.Layers[i].Input);
    }

    [Fact]
    public void LeNet5s_table_reads_as_its_declaration()
    {
        var layers = Sample.Mnist.LeNet5.Layers; // static, and INetwork.Layers
        Assert.Equal(
            "Conv2D 6 k5 s1 p2 g1 bias | ReLU | MaxPool k2 s2 | Conv2D 16 k5 s1 p0 g1 bias | ReLU | MaxPool k2 s2 | Flatten | Dense 120 bias | ReLU | Dense 84 bias | ReLU | Dense 10 bias | Softmax",
            string.Join(" | ", layers.Select(l => l.Op switch
            {
                LayerOp.Conv2D => $"Conv2D {l.Filters} k{l.Kernel} s{l.Stride} p{l.Padding} g{l.Groups}{(l.Bias ? " bias" : "")}",
                LayerOp.MaxPool => $"MaxPool k{l.Kernel} s{l.Stride}",
                LayerOp.Dense => $"Dense {l.Filters}{(l.Bias ? " bias" : "")}",
                _ => l.Op.ToString(),
            })));
        Assert.Equal(new[] { 6, 1, 5, 5 }, layers[0].Parameters[0].Shape);
        Assert.Equal(new[] { 120, 400 }, layers[7].Parameters[0].Shape);
        Assert.Same(layers, ((INetwork)new Sample.Mnist.LeNet5()).Layers);
    }
}
