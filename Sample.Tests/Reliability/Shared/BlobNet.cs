using System;

namespace CnnGen.Sample.Tests.Reliability;

/// <summary>
/// A network that only holds parameters and state: enough for <see cref="Training.ModelFile"/>, which uses nothing
/// else. Large (4 MiB of parameters by default) so that a save takes long enough to be killed in the middle.
/// Compiled into the tests and into the Saver helper process.
/// </summary>
internal sealed class BlobNet(int parameterCount = 1 << 20) : INetwork
{
    private readonly float[] _parameters = new float[parameterCount];
    private readonly float[] _gradients = new float[parameterCount];
    private readonly float[] _state = new float[3];

    public string Name => "BlobNet";
    public int InputChannels => 1;
    public int InputHeight => 1;
    public int InputWidth => 1;
    public int InputSize => 1;
    public int OutputSize => 2;
    public int ParameterCount => _parameters.Length;
    public int StateCount => _state.Length;
    public string Fingerprint => $"BlobNet({ParameterCount})";
    public string Summary => Fingerprint;
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _gradients;
    public Span<float> State => _state;

    /// <summary>Parameter set <paramref name="set"/> (0 or 1): every value differs between the two sets.</summary>
    public void Fill(int set)
    {
        for (int i = 0; i < _parameters.Length; i++) _parameters[i] = set == 0 ? i * 0.5f + 1 : -i * 0.25f - 1;
        for (int i = 0; i < _state.Length; i++) _state[i] = set == 0 ? 10 + i : -10 - i;
    }

    /// <summary>Which set the values are, or -1 if they are neither (a torn or mixed file).</summary>
    public int WhichSet()
    {
        var probe = new BlobNet(ParameterCount);
        for (int set = 0; set < 2; set++)
        {
            probe.Fill(set);
            if (probe.Parameters.SequenceEqual(Parameters) && probe.State.SequenceEqual(State)) return set;
        }
        return -1;
    }

    public void InitializeParameters(ulong seed) => Fill((int)(seed % 2));
    public void ZeroGrad() => Array.Clear(_gradients);
    public NetworkWorkspace CreateWorkspace(int lanes, int maxSamples) => throw new NotSupportedException();
    public StepResult TrainStep(NetworkWorkspace workspace, ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int count,
                                float gradientScale, Span<float> gradients, ulong noiseSeed) => throw new NotSupportedException();
    public StepResult Loss(NetworkWorkspace workspace, ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int count, ulong noiseSeed) =>
        throw new NotSupportedException();
    public void Infer(NetworkWorkspace workspace, ReadOnlySpan<float> input, int count, Span<float> probabilities) => throw new NotSupportedException();
    public void UpdateRunningStatistics(NetworkWorkspace workspace) { }
}
