using System;
using System.Collections.Generic;
using System.Text;

namespace CnnGen.Benchmarks;

/// <summary>
/// The arithmetic cost of LeNet-5, derived from its layer shapes (the same shapes as the attributes on
/// <see cref="LeNet5"/>). The parameter count derived here is checked against the generated network, so a
/// change to the network that is not mirrored here fails loudly instead of printing a wrong GFLOP/s.
/// </summary>
public static class LeNetCost
{
    /// <summary>One layer with weights: its name, output shape, multiply-adds per sample and parameters.</summary>
    public readonly record struct Layer(string Name, string Output, long Macs, long Parameters);

    /// <summary>The conv and dense layers of LeNet-5 from the input shape 1x28x28.</summary>
    public static IReadOnlyList<Layer> Layers()
    {
        var layers = new List<Layer>();
        int c = 1, h = 28, w = 28;
        void Conv(string name, int outC, int k, int pad)
        {
            int oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1;
            layers.Add(new Layer(name, $"{outC}x{oh}x{ow}", (long)outC * oh * ow * c * k * k, (long)outC * c * k * k + outC));
            c = outC; h = oh; w = ow;
        }
        void Pool(int k) { h /= k; w /= k; }
        int features = 0;
        void Dense(string name, int outF)
        {
            layers.Add(new Layer(name, $"{outF}", (long)features * outF, (long)features * outF + outF));
            features = outF;
        }
        Conv("Conv1 1->6 5x5 pad 2", 6, 5, 2); Pool(2);
        Conv("Conv2 6->16 5x5", 16, 5, 0); Pool(2);
        features = c * h * w; // Flatten: 16x5x5 = 400
        Dense("Dense1 400->120", 120);
        Dense("Dense2 120->84", 84);
        Dense("Dense3 84->10", 10);
        return layers;
    }

    /// <summary>Forward multiply-adds per sample (416,520 for LeNet-5).</summary>
    public static long ForwardMacs { get { long s = 0; foreach (var l in Layers()) s += l.Macs; return s; } }

    /// <summary>Parameters implied by the shapes (61,706 for LeNet-5).</summary>
    public static long ParameterCount { get { long s = 0; foreach (var l in Layers()) s += l.Parameters; return s; } }

    /// <summary>
    /// Training FLOP per sample by the usual convention: forward, backward-to-input and backward-to-weights each
    /// cost the forward multiply-adds, at 2 FLOP per multiply-add. (The first layer's input gradient is not
    /// actually computed, so this overstates the work by 2 x 117,600 FLOP, about 9%; PyTorch skips it too.)
    /// </summary>
    public static double TrainFlopPerSample => 2.0 * 3 * ForwardMacs;

    /// <summary>Inference FLOP per sample: 2 x forward multiply-adds.</summary>
    public static double InferFlopPerSample => 2.0 * ForwardMacs;

    /// <summary>Throws unless the derived parameter count equals the generated network's.</summary>
    public static void CheckAgainst(INetwork net)
    {
        if (net.ParameterCount != ParameterCount)
            throw new InvalidOperationException($"LeNetCost derives {ParameterCount} parameters but {net.Name} has {net.ParameterCount}: update the shapes in LeNetCost.");
    }

    /// <summary>A table of the layers, their multiply-adds and the totals.</summary>
    public static string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine("LeNet-5 cost, from the layer shapes:");
        foreach (var l in Layers())
            sb.AppendLine($"  {l.Name,-22} out {l.Output,-9} {l.Macs,9:N0} MACs  {l.Parameters,7:N0} params");
        sb.AppendLine($"  forward total            {ForwardMacs,19:N0} MACs  {ParameterCount,7:N0} params");
        sb.Append($"  training = 2 FLOP x 3 passes x {ForwardMacs:N0} MACs = {TrainFlopPerSample / 1e6:F3} MFLOP/sample; inference {InferFlopPerSample / 1e6:F3} MFLOP/sample");
        return sb.ToString();
    }
}
