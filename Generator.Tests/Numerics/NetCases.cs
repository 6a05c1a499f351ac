using System;
using System.Collections.Generic;
using System.Globalization;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>One layer's slice of the flat parameter buffer, read from the network's summary.</summary>
internal readonly record struct LayerSlice(string Layer, int Offset, int Count);

/// <summary>The test networks by name, batches in the lanes layout, and small helpers shared by the numerical tests.</summary>
internal static class NetCases
{
    /// <summary>Every network with parameters that the numerical tests run (BigKernelNet is for the IL budget only).</summary>
    public static readonly string[] Names =
    [
        nameof(ConvPadStrideNet), nameof(WideConvTanhNet), nameof(LeakyOverlapNet), nameof(DropoutNet),
        nameof(BatchNormNet), nameof(ResidualNet), nameof(ResidualReluNet), nameof(ProjectionBlockNet), nameof(GatherTailNet), nameof(FoldLoopNet), nameof(FoldedChainNet), nameof(FoldedChainLoopsNet), nameof(SkipFirstNet), nameof(ChannelLanesNet),
        nameof(GroupedNet), nameof(GroupedLoopsNet),
        nameof(NoUnrollNet), nameof(FlatNet), nameof(LeNet5),
    ];

    public static readonly int[] LaneWidths = [1, 4, 8, 16];

    public static INetwork Create(string name) => name switch
    {
        nameof(LeNet5) => new LeNet5(),
        nameof(ConvPadStrideNet) => new ConvPadStrideNet(),
        nameof(WideConvTanhNet) => new WideConvTanhNet(),
        nameof(LeakyOverlapNet) => new LeakyOverlapNet(),
        nameof(DropoutNet) => new DropoutNet(),
        nameof(BatchNormNet) => new BatchNormNet(),
        nameof(ResidualNet) => new ResidualNet(),
        nameof(ResidualReluNet) => new ResidualReluNet(),
        nameof(ProjectionBlockNet) => new ProjectionBlockNet(),
        nameof(GatherTailNet) => new GatherTailNet(),
        nameof(FoldLoopNet) => new FoldLoopNet(),
        nameof(FoldedChainNet) => new FoldedChainNet(),
        nameof(FoldedChainLoopsNet) => new FoldedChainLoopsNet(),
        nameof(SkipFirstNet) => new SkipFirstNet(),
        nameof(ChannelLanesNet) => new ChannelLanesNet(),
        nameof(GroupedNet) => new GroupedNet(),
        nameof(GroupedLoopsNet) => new GroupedLoopsNet(),
        nameof(NoUnrollNet) => new NoUnrollNet(),
        nameof(FlatNet) => new FlatNet(),
        nameof(TiePoolNet) => new TiePoolNet(),
        nameof(TieOverlapPoolNet) => new TieOverlapPoolNet(),
        nameof(TieReluPoolNet) => new TieReluPoolNet(),
        nameof(TieReluOverlapPoolNet) => new TieReluOverlapPoolNet(),
        nameof(BigKernelNet) => new BigKernelNet(),
        _ => throw new ArgumentException($"Unknown test network '{name}'.", nameof(name)),
    };

    /// <summary>
    /// Samples per test batch: 19 for the small nets (1 lane: 19 groups; 4 lanes: 5 groups with 1 padding lane;
    /// 8 lanes: 3 groups with 5 padding lanes; 16 lanes: 2 groups with 13 padding lanes), 5 for LeNet5 (3, 3 and 11 padding lanes), which is slow in Debug.
    /// </summary>
    public static int BatchSize(string name) => name == nameof(LeNet5) ? 5 : 19;

    public static IEnumerable<object[]> NamesAndLanes()
    {
        foreach (var name in Names)
            foreach (int lanes in LaneWidths)
                yield return [name, lanes];
    }

    public static IEnumerable<object[]> NameData()
    {
        foreach (var name in Names) yield return [name];
    }

    /// <summary>
    /// Initializes the parameters from <paramref name="seed"/>, then adds N(0, 0.05^2) to every one, so that biases,
    /// BatchNorm shifts and scales are not at their special initial values (0 and 1); BatchNorm running means become
    /// N(0, 0.3^2) and running variances 0.5..2, so that inference (which uses them) does not see the identity.
    /// </summary>
    public static void Randomize(INetwork net, ulong seed)
    {
        net.InitializeParameters(seed);
        var rng = new Rng(seed ^ 0x5EED);
        var p = net.Parameters;
        for (int i = 0; i < p.Length; i++) p[i] += (float)(0.05 * rng.NextGaussian());
        var state = net.State;
        foreach (var layer in net.Layers)
        {
            if (layer.Op != CnnGen.Structure.LayerOp.BatchNorm) continue;
            int c = layer.StateCount / 2; // running_mean (C), then running_var (C)
            for (int i = 0; i < c; i++)
            {
                state[layer.StateOffset + i] = (float)(0.3 * rng.NextGaussian());
                state[layer.StateOffset + c + i] = (float)(0.5 + 1.5 * rng.NextDouble());
            }
        }
    }

    /// <summary>Sample-major random inputs N(0, 1) and uniform labels.</summary>
    public static (float[] Samples, int[] Labels) RandomBatch(INetwork net, int count, ulong seed)
    {
        var rng = new Rng(seed);
        var samples = new float[count * net.InputSize];
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)rng.NextGaussian();
        var labels = new int[count];
        for (int s = 0; s < count; s++) labels[s] = rng.NextInt(net.OutputSize);
        return (samples, labels);
    }

    /// <summary>Packs sample-major values into the lanes layout for <paramref name="lanes"/>.</summary>
    public static float[] Pack(INetwork net, float[] samples, int count, int lanes)
    {
        var packed = new float[LaneLayout.Length(count, net.InputSize, lanes)];
        LaneLayout.Pack(samples, count, net.InputSize, lanes, packed);
        return packed;
    }

    /// <summary>
    /// Each layer's parameter slice, from the "Params" column of <see cref="INetwork.Summary"/> (parameters are laid
    /// out layer by layer in summary order). The slices must add up to <see cref="INetwork.ParameterCount"/>.
    /// </summary>
    public static List<LayerSlice> Layers(INetwork net)
    {
        var slices = new List<LayerSlice>();
        int offset = 0;
        foreach (var raw in net.Summary.Split('\n'))
        {
            var parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3 || parts[0] is "Input" or "Layer" or "Model:" or "Trainable" or "Non-trainable") continue;
            if (!int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count == 0) continue;
            slices.Add(new LayerSlice(parts[0], offset, count));
            offset += count;
        }
        if (offset != net.ParameterCount)
            throw new InvalidOperationException($"{net.Name}: summary parameters add up to {offset}, not {net.ParameterCount}:\n{net.Summary}");
        return slices;
    }
}
