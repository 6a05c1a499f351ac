using System;
using Xunit;

namespace CnnGen.Generator.Tests.Numerics;

/// <summary>Predict/Classify against Infer, seeded initialization, gradient accumulation, and argument checks.</summary>
public class ApiTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(NetCases.NameData), MemberType = typeof(NetCases))]
    public void Predict_at_every_lane_width_and_Classify_agree_with_Infer(string name)
    {
        var net = NetCases.Create(name);
        NetCases.Randomize(net, 8);
        double worst = PredictCheck.AssertAgreesWithInfer(net, NetCases.BatchSize(name), 71, name);
        output.WriteLine($"{name}: max |Predict - Infer| = {worst:E2} over lanes 1, 4, 8, 16 and the default");
    }

    [Theory]
    [InlineData(nameof(LeNet5))]
    [InlineData(nameof(ChannelLanesNet))]
    public void Predict_sees_changed_weights_and_other_instances_on_the_same_thread(string name)
    {
        // Convolutions with output channels in the lanes repack their weights per thread, only when they changed:
        // a change after a Predict, and a second instance on the same thread, must both be seen.
        var net = NetCases.Create(name);
        var other = NetCases.Create(name);
        NetCases.Randomize(net, 3);
        NetCases.Randomize(other, 4);
        int count = NetCases.BatchSize(name);
        PredictCheck.AssertAgreesWithInfer(net, count, 5, name + " before");
        PredictCheck.AssertAgreesWithInfer(other, count, 6, name + " other instance");
        var p = net.Parameters;
        for (int i = 0; i < p.Length; i += 3) p[i] = -1.5f * p[i];
        PredictCheck.AssertAgreesWithInfer(net, count, 7, name + " after a change");
        // one weight of each convolution after the first (LeNet-5's second, ChannelLanesNet's three, in the lanes
        // form) and of each projection, alone: the repack must notice a single value
        foreach (var layer in net.Layers)
        {
            if (layer.Parameters.Count == 0 || layer.Parameters[0].Shape.Length != 4 || layer.Parameters[0].Offset == 0) continue;
            p[layer.Parameters[0].Offset + layer.Parameters[0].Length / 2] += 0.5f;
            PredictCheck.AssertAgreesWithInfer(net, count, 8, $"{name} after a change of one weight of {layer.Name}");
        }
        PredictCheck.AssertAgreesWithInfer(other, count, 9, name + " other instance again");
    }

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    [InlineData(4)]
    public void Infer_on_a_long_batch_runs_it_in_chunks_with_the_same_results(int lanes)
    {
        // 999 LeNet-5 samples span many cache-sized chunks (a chunk is about 64 samples) and end in a partial lane group.
        INetwork net = new LeNet5();
        NetCases.Randomize(net, 4);
        const int Count = 999;
        var (samples, _) = NetCases.RandomBatch(net, Count, 12);
        var whole = new float[Count * net.OutputSize];
        net.Infer(net.CreateWorkspace(lanes, Count), NetCases.Pack(net, samples, Count, lanes), Count, whole);
        // the same samples 37 at a time: each sample's lane computes the same sums, so the results are identical
        var pieces = new float[Count * net.OutputSize];
        var ws = net.CreateWorkspace(lanes, 37);
        for (int first = 0; first < Count; first += 37)
        {
            int n = Math.Min(37, Count - first);
            var part = samples.AsSpan(first * net.InputSize, n * net.InputSize).ToArray();
            net.Infer(ws, NetCases.Pack(net, part, n, lanes), n, pieces.AsSpan(first * net.OutputSize, n * net.OutputSize));
        }
        Assert.Equal(pieces, whole);
        var e = Assert.Throws<ArgumentException>(() => net.Infer(net.CreateWorkspace(lanes, Count), NetCases.Pack(net, samples, Count, lanes), Count, new float[Count * net.OutputSize - 1]));
        Assert.Contains("Probabilities hold 9989 values; 999 samples x 10 classes need 9990.", e.Message);
    }

    [Fact]
    public void Predict_rejects_a_wrong_input_length()
    {
        var net = new LeNet5();
        var e = Assert.Throws<ArgumentException>(() => net.Predict<Lane16>(new float[783], new float[10]));
        Assert.Contains("LeNet5 takes 784 values per sample (1,28,28), not 783.", e.Message);
        Assert.Throws<ArgumentException>(() => net.Predict(new float[784], new float[9]));
    }

    [Theory]
    [MemberData(nameof(NetCases.NameData), MemberType = typeof(NetCases))]
    public void InitializeParameters_is_reproducible_and_depends_on_the_seed(string name)
    {
        var a = NetCases.Create(name);
        var b = NetCases.Create(name);
        a.InitializeParameters(5);
        b.Parameters.Fill(123f);
        b.State.Fill(7f);
        b.Gradients.Fill(1f);
        b.InitializeParameters(5);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters), "same seed, different parameters");
        Assert.True(a.State.SequenceEqual(b.State), "InitializeParameters must reset the state");
        Assert.True(b.Gradients.IndexOfAnyExcept(0f) < 0, "InitializeParameters should leave zero gradients");
        b.InitializeParameters(6);
        int differing = 0;
        for (int i = 0; i < a.ParameterCount; i++) if (a.Parameters[i] != b.Parameters[i]) differing++;
        // biases are 0 (and BatchNorm scales 1) for every seed; every weight should change
        Assert.True(differing > a.ParameterCount / 2, $"{name}: seeds 5 and 6 differ in only {differing} of {a.ParameterCount} parameters");
    }

    /// <summary>
    /// Backward writes (=) some input gradients without clearing them first and accumulates (+=) others into buffers it
    /// clears; inference writes some layers' results into other buffers than training does (a convolution that applies
    /// its BatchNorm writes into the next convolution's padded input); either way nothing of an earlier call may leak
    /// into the next. A step on a workspace that a step and an Infer on other data (and another sample count) have
    /// filled must give bit for bit the gradients of a fresh workspace, and an Infer after it the fresh Infer's results.
    /// </summary>
    [Theory]
    [MemberData(nameof(NetCases.NamesAndLanes), MemberType = typeof(NetCases))]
    public void A_reused_workspace_gives_the_results_of_a_fresh_one(string name, int lanes)
    {
        var net = NetCases.Create(name);
        NetCases.Randomize(net, 12);
        int count = NetCases.BatchSize(name), before = count + 3;
        var (first, firstLabels) = NetCases.RandomBatch(net, before, 21);
        var (samples, labels) = NetCases.RandomBatch(net, count, 22);
        var input = NetCases.Pack(net, samples, count, lanes);
        var firstInput = NetCases.Pack(net, first, before, lanes);

        var fresh = new float[net.ParameterCount];
        var freshStep = net.TrainStep(net.CreateWorkspace(lanes, before), input, labels, count, 1f, fresh, 7);
        var freshInfer = new float[count * net.OutputSize];
        net.Infer(net.CreateWorkspace(lanes, before), input, count, freshInfer);

        var ws = net.CreateWorkspace(lanes, before);
        net.TrainStep(ws, firstInput, firstLabels, before, 1f, new float[net.ParameterCount], 5);
        net.Infer(ws, firstInput, before, new float[before * net.OutputSize]);
        var reused = new float[net.ParameterCount];
        var reusedStep = net.TrainStep(ws, input, labels, count, 1f, reused, 7);

        Assert.Equal(freshStep.LossSum, reusedStep.LossSum);
        for (int i = 0; i < fresh.Length; i++)
            if (BitConverter.SingleToInt32Bits(fresh[i]) != BitConverter.SingleToInt32Bits(reused[i]) && !(fresh[i] == 0 && reused[i] == 0))
                Assert.Fail($"{name}, {lanes} lanes: gradient {i} is {reused[i]:R} after a step and an Infer on the workspace, {fresh[i]:R} on a fresh one");
        var reusedInfer = new float[count * net.OutputSize];
        net.Infer(ws, input, count, reusedInfer);
        for (int i = 0; i < freshInfer.Length; i++)
            if (BitConverter.SingleToInt32Bits(freshInfer[i]) != BitConverter.SingleToInt32Bits(reusedInfer[i]))
                Assert.Fail($"{name}, {lanes} lanes: probability {i} is {reusedInfer[i]:R} from Infer on a used workspace, {freshInfer[i]:R} on a fresh one");
    }

    [Fact]
    public void TrainStep_accumulates_scaled_gradients()
    {
        INetwork net = new DropoutNet();
        NetCases.Randomize(net, 2);
        int count = 19;
        var (samples, labels) = NetCases.RandomBatch(net, count, 3);
        var input = NetCases.Pack(net, samples, count, 16);
        var ws = net.CreateWorkspace(16, count);
        var once = new float[net.ParameterCount];
        net.TrainStep(ws, input, labels, count, 1f, once, 4);
        var twice = new float[net.ParameterCount];
        net.TrainStep(ws, input, labels, count, 0.5f, twice, 4);
        net.TrainStep(ws, input, labels, count, 1.5f, twice, 4);
        double scale = 0, diff = 0;
        for (int i = 0; i < once.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(once[i]));
            diff = Math.Max(diff, Math.Abs(twice[i] - 2 * once[i]));
        }
        Assert.True(diff <= 1e-6 * scale, $"0.5 g + 1.5 g differs from 2 g by {diff / scale:E2} of max |g|");
        // Gradients is the network's own buffer and ZeroGrad clears it
        net.TrainStep(ws, input, labels, count, 1f, net.Gradients, 4);
        Assert.True(net.Gradients.IndexOfAnyExcept(0f) >= 0);
        net.ZeroGrad();
        Assert.True(net.Gradients.IndexOfAnyExcept(0f) < 0);
    }

    [Fact]
    public void Bad_arguments_throw_ArgumentExceptions_with_clear_messages()
    {
        INetwork net = new FlatNet();
        INetwork other = new ConvPadStrideNet();
        int count = 5;
        var (samples, labels) = NetCases.RandomBatch(net, count, 1);
        var input = NetCases.Pack(net, samples, count, 8);
        var ws = net.CreateWorkspace(8, count);
        var g = new float[net.ParameterCount];
        var probabilities = new float[count * net.OutputSize];

        void Throws(Action action, params string[] mentions)
        {
            var e = Assert.ThrowsAny<ArgumentException>(action);
            foreach (var m in mentions) Assert.Contains(m, e.Message, StringComparison.OrdinalIgnoreCase);
        }

        // input too short for the batch
        Throws(() => net.TrainStep(ws, input.AsSpan(0, input.Length - 1), labels, count, 1f, g, 0), "input");
        Throws(() => net.Loss(ws, input.AsSpan(0, 10), labels, count, 0), "input");
        Throws(() => net.Infer(ws, input.AsSpan(0, 10), count, probabilities), "input");
        // more samples than the workspace holds, or none
        Throws(() => net.TrainStep(ws, input, labels, count + 1, 1f, g, 0), "count");
        Throws(() => net.Loss(ws, input, labels, 0, 0), "count");
        // a workspace of another network
        Throws(() => net.TrainStep(other.CreateWorkspace(8, count), input, labels, count, 1f, g, 0), "workspace");
        Throws(() => net.Infer(other.CreateWorkspace(8, count), input, count, probabilities), "workspace");
        // out-of-range and missing labels
        Throws(() => net.TrainStep(ws, input, [0, 1, 2, 3, 5], count, 1f, g, 0), "label");
        Throws(() => net.Loss(ws, input, [0, 1, -1, 3, 4], count, 0), "label");
        Throws(() => net.Loss(ws, input, [0, 1], count, 0), "label");
        // a gradient buffer of the wrong length
        Throws(() => net.TrainStep(ws, input, labels, count, 1f, new float[net.ParameterCount - 1], 0), "gradient");
        // too few probabilities
        Throws(() => net.Infer(ws, input, count, new float[count * net.OutputSize - 1]), "probabilities");
        // lane widths other than 1, 4, 8, 16
        Throws(() => net.CreateWorkspace(2, count), "lanes");
        Throws(() => net.CreateWorkspace(32, count), "lanes");
        Throws(() => net.CreateWorkspace(8, 0), "sample");
        // a single sample of the wrong length
        var flat = new FlatNet();
        Throws(() => flat.Predict(new float[11], new float[5]), "12");
        Throws(() => flat.Classify(new float[13]), "12");
    }
}
