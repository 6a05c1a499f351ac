using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Runtime.Intrinsics;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Data;
using CnnGen.Sample.Web.Model;
using CnnGen.Training;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.JSInterop;

namespace CnnGen.Sample.Web.Pages;

/// <summary>The page: drawing pad, probabilities, each layer's output beside its generated code, and training.</summary>
public partial class Home : ComponentBase, IDisposable
{
    private const int BatchSize = 32, MeasureRuns = 25, PadLine = 22;
    private const string ModelPath = "models/lenet5.model", DataPath = "data/mnist-slice.bin.gz", SourcePath = "generated/LeNet5.g.cs.txt";

    [Inject] private HttpClient Http { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    private List<string>? _selfTest;

    private readonly LeNet5 _net = new();
    private float[]? _shipped; // the shipped model's parameters
    private PixelNormalization _normalization = PixelNormalization.Mnist;
    private string _modelText = "loading";
    private string? _error;

    private ElementReference _pad, _digit28;
    private DotNetObjectReference<Home>? _self;
    private byte[] _digit = new byte[Digitizer.Size * Digitizer.Size];
    private readonly float[] _probabilities = new float[LeNet5.OutputSize];
    private bool _drawn;
    private int _best;

    private List<LayerInfo> _layers = [];
    private bool _layerOutputs;
    private readonly Dictionary<string, ElementReference> _layerCanvasRefs = [];
    private readonly Dictionary<string, bool> _layerCanvas = [];
    private readonly Dictionary<string, string> _forwardCode = [], _predictCode = [];

    private double? _firstPredictionMs, _lastPredictMs, _lane4Ms, _lane1Ms, _lane4MadMs;
    private bool _measuring;
    private string _agreement = "-";

    private ImageDataset? _train, _test;
    private string? _sourceText;
    private bool _training;
    private int _epochs = 1;
    private long _step, _totalSteps;
    private double _trainRate;
    private double? _testAccuracy;
    private string _trainStatus = "not started";
    private readonly List<double> _losses = [], _accuracies = [];
    private readonly List<(long Step, double Accuracy)> _testPoints = [];
    private CancellationTokenSource? _stop;

    private static string LaneText =>
        $"Vector128 {(Vector128.IsHardwareAccelerated ? "accelerated (WebAssembly SIMD)" : "not accelerated")}, " +
        $"hardware FMA {(System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "yes" : "no (Lane4 would emulate it)")}, " +
        $"preferred lanes {NetworkWorkspace.PreferredLanes}";

    // the layer outputs are read from the generated single-sample scratch by reflection: keep it through trimming
    [DynamicDependency(DynamicallyAccessedMemberTypes.NonPublicFields | DynamicallyAccessedMemberTypes.NonPublicNestedTypes, typeof(LeNet5))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields, "CnnGen.Sample.Web.LeNet5.SingleSample", "CnnGen.Sample.Web")]
    protected override async Task OnInitializedAsync()
    {
        try
        {
            if (Navigation.Uri.Contains("selftest", StringComparison.Ordinal))
            {
                _selfTest = LaneSelfTest.Run();
                _selfTest.Add("Generic chain: " + LaneSelfTest.GenericChain(50));
                _selfTest.Add("Unrolled Lane4.MultiplyAdd: " + LaneSelfTest.Unrolled(30));
                for (int i = 0; i < 300; i++)
                {
                    var again = LaneSelfTest.Run();
                    var wrong = again.FindAll(r => r.Contains("WRONG"));
                    if (wrong.Count > 0) { _selfTest.Add($"run {i + 2}: " + string.Join(" | ", wrong)); break; }
                }
            }
            _layers = NetworkLayers.Parse(LeNet5.Summary);
            _layerOutputs = NetworkLayers.IsSupported<LeNet5>();
            foreach (var layer in _layers)
                if (_layerOutputs && NetworkLayers.HasOutput<LeNet5>(layer))
                    _layerCanvas[layer.Name] = true;
            var model = Http.GetByteArrayAsync(ModelPath);
            var source = Http.GetStringAsync(SourcePath);
            LoadModel(await model);
            if (_selfTest is not null)
            {
                var image = new float[LeNet5.InputSize];
                for (int i = 0; i < image.Length; i++) image[i] = (i / 28 - 14) * (i / 28 - 14) + (i % 28 - 14) * (i % 28 - 14) < 60 ? 2.8f : -0.42f;
                _selfTest.Add("Predict agreement: " + LaneSelfTest.PredictAgreement(_net, image, 10));
                _selfTest.Add("Predict agreement, Lane4Mad: " + LaneSelfTest.PredictAgreement<Lane4Mad>(_net, image, 10));
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    var net = new LeNet5();
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    long offset = System.Runtime.CompilerServices.Unsafe.ByteOffset(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(net.Parameters),
                                                                                 ref System.Runtime.InteropServices.MemoryMarshal.GetReference(net.Gradients));
                    var buffer = typeof(LeNet5).GetNestedType("ParametersBuffer", System.Reflection.BindingFlags.NonPublic);
                    int size = buffer is null ? -1 : System.Runtime.CompilerServices.RuntimeHelpers.SizeOf(buffer.TypeHandle);
                    _selfTest.Add($"InlineArray: Gradients - Parameters = {offset} bytes, sizeof(ParametersBuffer) = {size} (expected {LeNet5.ParameterCount * 4}); new LeNet5() allocated {allocated} bytes (2 x {LeNet5.ParameterCount * 4} needed)");
                }
                var w = new float[2000];
                var rng = new Rng(1);
                Initializers.HeNormal(w, 2, ref rng);
                _selfTest.Add("HeNormal(seed 1): " + string.Join(" ", w[..4]) + " ... " + string.Join(" ", w[1996..]) +
                              " (x64: -0.03426732 -2.5000675 0.087722465 -2.027135 ... -1.8383435 -0.656306 0.030253945 -0.025081169)");
                var (train, _) = MnistSlice.Read(await Http.GetByteArrayAsync(DataPath), DataPath);
                double Norm(Span<float> v) { double q = 0; foreach (float f in v) q += Math.Abs(f); return q; }
                var probe = new LeNet5();
                probe.InitializeParameters(1);
                _selfTest.Add($"generated InitializeParameters(1): |params| {Norm(probe.Parameters):F2} (x64: 4083.40)");
                Initialization.Replay(await Http.GetStringAsync(SourcePath), 1, probe.Parameters);
                _selfTest.Add($"replayed initialization: |params| {Norm(probe.Parameters):F2} (x64: 4083.40)");
                var log = new List<string>();
                using var enough = new CancellationTokenSource();
                await new PageTrainer { Epochs = 1, BatchSize = 32, Seed = 1, Lanes = 1 }.RunAsync(probe, train, PixelNormalization.Mnist, r =>
                {
                    if (r.Step <= 3 || r.Step % 20 == 0) log.Add($"step {r.Step} loss {r.Loss:F4} |params| {Norm(probe.Parameters):F2}");
                    if (r.Step == 40) enough.Cancel();
                    return Task.CompletedTask;
                }, enough.Token);
                _selfTest.Add("training at 1 lane: " + string.Join("; ", log) + " (x64: step 20 loss 0.8170, step 40 0.7761)");
                // the Runtime's Trainer here: one thread, so no worker thread (and KernelPrecompiler starts none on one core)
                try
                {
                    var trained = new LeNet5();
                    Initialization.Replay(await Http.GetStringAsync(SourcePath), 1, trained.Parameters);
                    using var trainer = new Trainer(trained, new AdamW(2e-3f), new TrainerOptions { Epochs = 1, BatchSize = 32, Threads = 1, Normalization = PixelNormalization.Mnist });
                    var result = trainer.Fit(train.Take(640));
                    _selfTest.Add($"Trainer.Fit, Threads = 1, {Environment.ProcessorCount} processor(s): ran, train loss {result.History[0].TrainLoss:F4}, lanes {trainer.Lanes}, |params| {Norm(trained.Parameters):F2}");
                }
                catch (Exception e)
                {
                    _selfTest.Add($"Trainer.Fit, Threads = 1: {e.GetType().Name}: {e.Message}");
                }
                _selfTest.Add(LaneSelfTest.PredictTime<Lane1>(_net, image, 25));
                _selfTest.Add(LaneSelfTest.PredictTime<Lane4>(_net, image, 25));
                _selfTest.Add(LaneSelfTest.PredictTime<Lane4Mad>(_net, image, 25));
            }
            // the first prediction: an empty pad, as soon as the weights are in
            Predict();
            _firstPredictionMs = await JS.InvokeAsync<double>("cnnPad.now");
            LoadSource(await source);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or ModelFileException or FormatException)
        {
            _error = "Could not load the page's assets: " + e.Message;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _self = DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("cnnPad.init", _pad, _self, PadLine);
        }
    }

    private void LoadModel(byte[] bytes)
    {
        // ModelFile reads paths; the browser's file system is in memory
        string path = Path.Combine(Path.GetTempPath(), "lenet5.model");
        File.WriteAllBytes(path, bytes);
        var info = ModelFile.Load(path, _net);
        if (info.Metadata.Get("normalization.mean") is { } mean && info.Metadata.Get("normalization.std") is { } std
            && float.TryParse(mean, NumberStyles.Float, CultureInfo.InvariantCulture, out float m) && float.TryParse(std, NumberStyles.Float, CultureInfo.InvariantCulture, out float s) && s > 0)
            _normalization = PixelNormalization.Standardize(m, s);
        _shipped = _net.Parameters.ToArray();
        string data = (info.Metadata.Get("data") ?? "MNIST").Split(" (")[0]; // the data set's name, not the trainer's paths
        _modelText = $"{ModelPath} ({bytes.Length:N0} bytes, trained on {data} by Sample.Mnist)";
    }

    private void LoadSource(string text)
    {
        _sourceText = text;
        var source = new GeneratedSource(text);
        foreach (var layer in _layers)
        {
            if ((source.Method(layer.Name + "_Forward") ?? source.SectionComment(layer.Name)) is { } forward) _forwardCode[layer.Name] = forward;
            if (source.Method(layer.Name + "_Predict") is { } predict) _predictCode[layer.Name] = predict;
        }
    }

    /// <summary>Called by pad.js with the pad's ink after every change.</summary>
    [JSInvokable]
    public async Task OnInk(byte[] ink, int width, int height)
    {
        if (_shipped is null) return; // no weights loaded yet (or they could not be): nothing to predict with
        try
        {
            _digit = Digitizer.ToMnist(ink, width, height);
        }
        catch (ArgumentException e)
        {
            _error = e.Message;
            StateHasChanged();
            return;
        }
        _drawn = _digit.Any(v => v != 0);
        var clock = Stopwatch.StartNew();
        Predict();
        _lastPredictMs = clock.Elapsed.TotalMilliseconds;
        await ShowLayersAsync();
        StateHasChanged();
    }

    private float[] Input()
    {
        var image = new float[LeNet5.InputSize];
        for (int i = 0; i < image.Length; i++) image[i] = _normalization.Apply(_digit[i]);
        return image;
    }

    private void Predict()
    {
        // the single-sample kernels at the preferred width (1 in the browser), which also fill the per-layer buffers shown
        if (NetworkWorkspace.PreferredLanes == 4) _net.Predict<Lane4>(Input(), _probabilities);
        else _net.Predict<Lane1>(Input(), _probabilities);
        _best = 0;
        for (int k = 1; k < _probabilities.Length; k++) if (_probabilities[k] > _probabilities[_best]) _best = k;
    }

    private async Task ShowLayersAsync()
    {
        await JS.InvokeVoidAsync("cnnPad.maps", _digit28, _digit, 1, 28, 28, 1, 1, false);
        if (!_layerOutputs) return;
        foreach (var layer in _layers)
        {
            if (!_layerCanvasRefs.TryGetValue(layer.Name, out var canvas) || NetworkLayers.Output<LeNet5>(layer) is not { } values) continue;
            float max = 0;
            bool signed = false;
            foreach (float v in values) { max = Math.Max(max, Math.Abs(v)); signed |= v < 0; }
            var bytes = new byte[values.Length];
            for (int i = 0; i < values.Length; i++)
                bytes[i] = max == 0 ? (byte)(signed ? 128 : 0) : signed ? (byte)Math.Round(128 + 127 * values[i] / max) : (byte)Math.Round(255 * values[i] / max);
            if (layer.IsSpatial)
            {
                int maps = layer.Shape[0], h = layer.Shape[1], w = layer.Shape[2];
                int scale = Math.Max(1, 56 / h);
                await JS.InvokeVoidAsync("cnnPad.maps", canvas, bytes, maps, h, w, Math.Min(maps, 8), scale, signed);
            }
            else
            {
                await JS.InvokeVoidAsync("cnnPad.bars", canvas, bytes, signed);
            }
        }
    }

    private async Task ClearAsync() => await JS.InvokeVoidAsync("cnnPad.clear", _pad);

    private async Task MeasureAsync()
    {
        _measuring = true;
        StateHasChanged();
        await Task.Delay(1);
        var image = Input();
        var p1 = new float[LeNet5.OutputSize];
        _lane1Ms = await Median(() => _net.Predict<Lane1>(image, p1));
        var p = new float[LeNet5.OutputSize];
        _lane4Ms = await Median(() => _net.Predict<Lane4>(image, p));
        string four = Agreement(p1, p);
        _lane4MadMs = await Median(() => _net.Predict<Lane4Mad>(image, p));
        _agreement = $"Lane4 {four}; Lane4Mad {Agreement(p1, p)}";
        _measuring = false;
    }

    /// <summary>How far <paramref name="p"/> is from the 1-lane probabilities <paramref name="p1"/>.</summary>
    private static string Agreement(float[] p1, float[] p)
    {
        float diff = 0;
        for (int k = 0; k < p.Length; k++) diff = MathF.Max(diff, float.IsFinite(p[k]) ? Math.Abs(p[k] - p1[k]) : float.NaN);
        return float.IsNaN(diff) || diff > 1e-4f ? $"WRONG (max |p - p(Lane1)| = {diff:G3})" : $"agrees (max |p - p(Lane1)| = {diff:G2})";
    }

    private static async Task<double> Median(Action predict)
    {
        predict(); // first call: compile / warm up
        var times = new double[MeasureRuns];
        for (int i = 0; i < MeasureRuns; i++)
        {
            var clock = Stopwatch.StartNew();
            predict();
            times[i] = clock.Elapsed.TotalMilliseconds;
            if (i % 5 == 4) await Task.Delay(1);
        }
        Array.Sort(times);
        return times[MeasureRuns / 2];
    }

    private async Task TrainAsync()
    {
        _training = true;
        _stop = new CancellationTokenSource();
        _losses.Clear();
        _accuracies.Clear();
        _testPoints.Clear();
        _testAccuracy = null;
        _step = 0;
        try
        {
            if (_train is null)
            {
                _trainStatus = "loading the MNIST slice";
                StateHasChanged();
                (_train, _test) = MnistSlice.Read(await Http.GetByteArrayAsync(DataPath), DataPath);
            }
            var net = new LeNet5();
            var trainer = new PageTrainer { Epochs = Math.Clamp(_epochs, 1, 20), BatchSize = BatchSize, Seed = 1 };
            // = net.InitializeParameters(seed), without its last statement (Gradients.Clear()), which in the browser clears weights
            Initialization.Replay(_sourceText ?? throw new InvalidOperationException("The generated source is not loaded yet."), trainer.Seed, net.Parameters);
            _totalSteps = (long)trainer.Epochs * ((_train.Count + BatchSize - 1) / BatchSize);
            long steps = await trainer.RunAsync(net, _train, PixelNormalization.Mnist, async r =>
            {
                _step = r.Step;
                _losses.Add(r.Loss);
                _accuracies.Add(r.Accuracy);
                _trainRate = r.SamplesPerSecond;
                _trainStatus = $"epoch {r.Epoch}/{trainer.Epochs}, batch {r.Batch}/{r.BatchesPerEpoch}, loss {r.Loss:F3}, {r.SamplesPerSecond:F0} samples/s";
                StateHasChanged();
                await JS.InvokeVoidAsync("cnnPad.nextFrame"); // let the browser paint and handle Stop
            }, _stop.Token);
            _trainStatus = $"{(_stop.IsCancellationRequested ? "stopped" : "done")} after {steps} batches; testing on {_test!.Count:N0} digits";
            StateHasChanged();
            await Task.Delay(1);
            var (accuracy, loss) = await trainer.EvaluateAsync(net, _test, PixelNormalization.Mnist, () => Task.Delay(1));
            _testAccuracy = accuracy;
            _testPoints.Add((steps, accuracy));
            // the trained weights drive the drawing pad from now on
            net.Parameters.CopyTo(_net.Parameters);
            _normalization = PixelNormalization.Mnist;
            _modelText = $"trained in this page ({steps} batches of {BatchSize}, test accuracy {accuracy:P2})";
            _trainStatus = $"{(_stop.IsCancellationRequested ? "stopped" : "done")} after {steps} batches: test accuracy {accuracy:P2}, loss {loss:F3}; the pad now uses these weights";
            Predict();
            await ShowLayersAsync();
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or InvalidOperationException or ArgumentException or FormatException)
        {
            _trainStatus = "training failed: " + e.Message;
        }
        finally
        {
            _training = false;
        }
    }

    private void Stop() => _stop?.Cancel();

    private async Task UseShippedAsync()
    {
        if (_shipped is null) return;
        _shipped.CopyTo(_net.Parameters);
        _modelText = ModelPath + " (shipped)";
        Predict();
        await ShowLayersAsync();
    }

    private static double Percent(float p) => Math.Round(100 * p, 1);

    private static string Ms(double? ms) => ms is null ? "-" : ms.Value.ToString(ms.Value < 10 ? "F2" : "F0", CultureInfo.InvariantCulture) + " ms";

    private static string MeanText(List<double> values, int start, int count)
    {
        if (values.Count < count || start < 0) return "-";
        return values.Skip(start).Take(count).Average().ToString("F4", CultureInfo.InvariantCulture);
    }

    /// <summary>An SVG polyline of <paramref name="values"/> (smoothed over 5 batches), y from 0 to the max (or <paramref name="top"/>).</summary>
    private RenderFragment Chart(List<double> values, string id, string colour, double? top) => builder =>
    {
        const int w = 420, h = 140;
        double max = top ?? Math.Max(1e-9, values.Count == 0 ? 1 : values.Max());
        long n = Math.Max(_totalSteps, values.Count);
        string X(long i) => (n <= 1 ? 0 : w * (double)i / (n - 1)).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double v) => (h - h * Math.Clamp(v / max, 0, 1)).ToString("F1", CultureInfo.InvariantCulture);
        var points = new System.Text.StringBuilder();
        for (int i = 0; i < values.Count; i++)
        {
            double mean = 0;
            int from = Math.Max(0, i - 4);
            for (int j = from; j <= i; j++) mean += values[j];
            points.Append(X(i)).Append(',').Append(Y(mean / (i - from + 1))).Append(' ');
        }
        int seq = 0;
        builder.OpenElement(seq++, "svg");
        builder.AddAttribute(seq++, "id", id);
        builder.AddAttribute(seq++, "width", w);
        builder.AddAttribute(seq++, "height", h);
        builder.AddAttribute(seq++, "class", "chart");
        builder.OpenElement(seq++, "polyline");
        builder.AddAttribute(seq++, "points", points.ToString());
        builder.AddAttribute(seq++, "fill", "none");
        builder.AddAttribute(seq++, "stroke", colour);
        builder.AddAttribute(seq++, "stroke-width", "1.5");
        builder.CloseElement();
        if (top is not null)
            foreach (var (step, accuracy) in _testPoints)
            {
                builder.OpenElement(seq++, "circle");
                builder.AddAttribute(seq++, "cx", X(step - 1));
                builder.AddAttribute(seq++, "cy", Y(accuracy));
                builder.AddAttribute(seq++, "r", 4);
                builder.AddAttribute(seq++, "fill", "#1e8449");
                builder.CloseElement();
            }
        builder.OpenElement(seq++, "text");
        builder.AddAttribute(seq++, "x", 4);
        builder.AddAttribute(seq++, "y", 12);
        builder.AddContent(seq++, max.ToString(top is null ? "F2" : "P0", CultureInfo.InvariantCulture));
        builder.CloseElement();
        builder.CloseElement();
    };

    public void Dispose()
    {
        _stop?.Cancel();
        _self?.Dispose();
    }
}
