using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics;
using System.Threading;
using CnnGen.Data;

namespace CnnGen.Training;

/// <summary>
/// Trains any <see cref="INetwork"/> with mini-batch gradient descent: seeded shuffling every epoch, a
/// learning-rate schedule, optional gradient clipping, evaluation on a test set after every epoch, early
/// stopping, best-model and resumable checkpoints.
/// </summary>
/// <remarks>
/// <para>Multi-core training is data-parallel over persistent worker threads (the calling thread is worker 0).
/// Each batch costs two fork/joins: (1) every worker packs its contiguous range of the batch's samples and
/// runs <see cref="INetwork.TrainStep"/> into its own gradient buffer with its own workspace; (2) every worker
/// takes a contiguous range of the parameters, sums the workers' gradients over it in worker order into
/// <see cref="INetwork.Gradients"/>, applies the optimizer to it, and zeroes every gradient it read for the next
/// batch (so after a step <see cref="INetwork.Gradients"/> holds zeros, not the last batch's gradient). Gradient
/// clipping adds one barrier inside (2) to combine the partial norms. Gradients are of the batch mean loss (<c>gradientScale = 1 / batch</c>).</para>
/// <para>Reproducibility: with the same initial weights, data, options and thread count, the weights after
/// training are bit-identical on every run, and a run resumed from a checkpoint equals the uninterrupted run.
/// Dropout seeds derive from (seed, epoch, batch, worker), so a different thread count draws different masks;
/// augmentation seeds from (seed, epoch, sample index), the same for every thread count.</para>
/// </remarks>
public sealed class Trainer : IDisposable
{
    private const ulong NoiseStream = 0xD50F, ShuffleStream = 0x5AFF1E, AugmentationStream = 0xA06;

    private readonly INetwork _net;
    private readonly Optimizer _optimizer;
    private readonly TrainerOptions _options;
    private readonly int _threads;
    private readonly int _samplesPerWorker; // lane-aligned slice of a batch per worker
    private readonly int _parametersPerWorker; // contiguous parameter range per worker in the update
    private readonly Action<int> _trainJob, _updateJob, _evaluateJob;

    private WorkerPool? _pool;
    private Worker[] _workers = [];
    private readonly StepResult[] _results;
    private readonly double[] _partialSquares;

    // The batch being processed, read by the jobs.
    private ImageDataset? _data;
    private int[] _order = [];
    private int _batchStart, _batchCount, _activeWorkers, _epoch, _batch;
    private float _gradientScale;

    /// <summary>Creates a trainer; worker threads start on first use and stop on <see cref="Dispose"/>.</summary>
    public Trainer(INetwork net, Optimizer optimizer, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(optimizer);
        options ??= new TrainerOptions();
        if (options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must not be negative.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "The batch size must be at least 1.");
        if (options.Threads < 1 || options.Threads > 256) throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "Threads must be 1..256.");
        if (options.Lanes != 0 && !LaneWidths.IsSupported(options.Lanes)) throw new ArgumentOutOfRangeException(nameof(options), options.Lanes, "Lanes must be 0 (preferred) or " + LaneWidths.Description + ".");
        if (!(options.MaxGradientNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(options), options.MaxGradientNorm, "MaxGradientNorm must be 0 (off) or positive.");
        if (options.EarlyStoppingPatience < 0) throw new ArgumentOutOfRangeException(nameof(options), options.EarlyStoppingPatience, "Patience must not be negative.");
        ArgumentNullException.ThrowIfNull(options.Normalization);
        options.Augmentation?.Validate();
        _net = net;
        _optimizer = optimizer;
        _options = options;
        Lanes = options.Lanes == 0 ? NetworkWorkspace.PreferredLanes : options.Lanes;
        _threads = options.Threads;
        int perWorker = (options.BatchSize + _threads - 1) / _threads;
        _samplesPerWorker = (perWorker + Lanes - 1) / Lanes * Lanes;
        int parametersPerWorker = (net.ParameterCount + _threads - 1) / _threads;
        _parametersPerWorker = Math.Max(16, (parametersPerWorker + 15) / 16 * 16); // whole cache lines
        _results = new StepResult[_threads];
        _partialSquares = new double[_threads];
        _trainJob = TrainJob;
        _updateJob = UpdateJob;
        _evaluateJob = EvaluateJob;
        Progress = new TrainingProgress { Seed = options.Seed, BatchSize = options.BatchSize };
        KernelPrecompiler.Start(net, Lanes); // JIT only: compile the kernels on another core while the first batch runs
    }

    /// <summary>Raised on the calling thread every <see cref="TrainerOptions.ProgressInterval"/> batches and at the end of each epoch.</summary>
    public event Action<BatchProgress>? BatchCompleted;

    /// <summary>Raised on the calling thread after each epoch's evaluation, best-model save and checkpoint.</summary>
    public event Action<EpochReport>? EpochCompleted;

    /// <summary>Samples per SIMD value used by this trainer.</summary>
    public int Lanes { get; }

    /// <summary>The position of the run: epochs and steps done, early-stopping state.</summary>
    public TrainingProgress Progress
    {
        get => _progress.StepsCompleted == _steps ? _progress : _progress with { StepsCompleted = _steps };
        private set
        {
            _progress = value;
            _steps = value.StepsCompleted;
        }
    }

    private TrainingProgress _progress = new();
    private long _steps; // StepsCompleted, counted without allocating a record per batch

    /// <summary>
    /// Trains from <see cref="Progress"/> up to <see cref="TrainerOptions.Epochs"/> epochs (or until early stopping),
    /// evaluating on <paramref name="test"/> after every epoch when given.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public TrainingResult Fit(ImageDataset train, ImageDataset? test = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckCompatible(_net, train);
        if (test is not null) CheckCompatible(_net, test);
        if (train.Count == 0) throw new ArgumentException($"Training set '{train.Name}' is empty.", nameof(train));
        EnsureWorkers();

        int batchSize = _options.BatchSize;
        int batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        long totalSteps = (long)_options.Epochs * batchesPerEpoch;
        if (_order.Length != train.Count) _order = new int[train.Count];
        var history = new List<EpochReport>();
        _data = train;
        foreach (var worker in _workers) worker.GradientsZero = false; // the caller may have used the network's gradients
        try
        {
            for (int epoch = Progress.EpochsCompleted; epoch < _options.Epochs && !Progress.StoppedEarly; epoch++)
            {
                _epoch = epoch;
                // a fresh order each epoch, from (seed, epoch) only: a resumed run draws the same one
                if (_options.Shuffle) Shuffling.Permutation(_order, Rng.Derive(Rng.Derive(_options.Seed, ShuffleStream), (ulong)epoch));
                else for (int i = 0; i < _order.Length; i++) _order[i] = i;

                var clock = Stopwatch.StartNew();
                double lossSum = 0;
                long correct = 0, samples = 0;
                float learningRate = _optimizer.LearningRate;
                for (int batch = 0; batch < batchesPerEpoch; batch++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    _batch = batch;
                    _batchStart = batch * batchSize;
                    _batchCount = Math.Min(batchSize, train.Count - _batchStart);
                    if (_options.Schedule is not null)
                        _optimizer.LearningRate = _options.Schedule.At(_steps, totalSteps);
                    learningRate = _optimizer.LearningRate;

                    StepResult step = TrainBatch();
                    if (!double.IsFinite(step.LossSum))
                        throw new TrainingDivergedException(epoch + 1, batch + 1, step.LossSum, learningRate);
                    Update();
                    _net.UpdateRunningStatistics(_workers[0].Workspace);
                    _steps++;

                    lossSum += step.LossSum;
                    correct += step.Correct;
                    samples += _batchCount;
                    if (BatchCompleted is { } onBatch && ((batch + 1) % Math.Max(1, _options.ProgressInterval) == 0 || batch == batchesPerEpoch - 1))
                        onBatch(new BatchProgress(epoch + 1, batch + 1, batchesPerEpoch, samples, lossSum / samples, (double)correct / samples,
                                                  samples / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), learningRate));
                }
                // A non-finite loss is caught at the next batch; the last update of the epoch has no next batch, so check
                // the weights once before they are evaluated and checkpointed (never overwrite a good checkpoint with NaN).
                if (!AllFinite(_net.Parameters) || !AllFinite(_net.State))
                    throw new TrainingDivergedException(epoch + 1, batchesPerEpoch, learningRate);
                double seconds = clock.Elapsed.TotalSeconds;
                history.Add(EndEpoch(epoch, lossSum / samples, (double)correct / samples, test, seconds, samples / Math.Max(seconds, 1e-9), learningRate));
            }
        }
        finally
        {
            _data = null;
        }
        return new TrainingResult(Progress, history);
    }

    /// <summary>Evaluates the network in inference mode on <paramref name="data"/>, split over the worker threads.</summary>
    public EvaluationResult Evaluate(ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckCompatible(_net, data);
        EnsureWorkers();
        foreach (var worker in _workers)
        {
            worker.Confusion.Clear();
            worker.EvaluationLoss = 0;
        }
        var previous = _data;
        _data = data;
        try
        {
            int step = _samplesPerWorker * _threads;
            for (int start = 0; start < data.Count; start += step)
            {
                _batchStart = start;
                _batchCount = Math.Min(step, data.Count - start);
                _pool!.Run(_evaluateJob);
            }
        }
        finally
        {
            _data = previous;
        }
        // merge in worker order
        var confusion = new ConfusionMatrix(_net.OutputSize);
        double loss = 0;
        foreach (var worker in _workers)
        {
            confusion.Add(worker.Confusion);
            loss += worker.EvaluationLoss;
        }
        return new EvaluationResult(data.Count == 0 ? 0 : loss / data.Count, confusion.Accuracy, data.Count, confusion);
    }

    /// <summary>Saves a checkpoint of the network, the optimizer and <see cref="Progress"/> (atomically).</summary>
    public void SaveCheckpoint(string path) => ModelFile.SaveCheckpoint(path, _net, _optimizer, Progress, _options.Metadata);

    /// <summary>
    /// Loads a checkpoint into the network and the optimizer and sets <see cref="Progress"/>, so that
    /// <see cref="Fit"/> continues where the saved run was. The checkpoint's seed and batch size must match the options.
    /// </summary>
    public void LoadCheckpoint(string path)
    {
        var checkpoint = ModelFile.ReadCheckpoint(path, _net);
        var progress = checkpoint.Progress;
        if (progress.Seed != _options.Seed || progress.BatchSize != _options.BatchSize)
            throw new InvalidOperationException(
                $"Checkpoint '{path}' was made with seed {progress.Seed} and batch size {progress.BatchSize}; this trainer has seed {_options.Seed} and batch size {_options.BatchSize}. " +
                "Use the same settings to resume exactly.");
        ModelFile.Apply(path, checkpoint, _net, _optimizer);
        Progress = progress;
    }

    /// <summary>Throws a clear error unless <paramref name="data"/> fits <paramref name="net"/>'s input shape and classes.</summary>
    public static void CheckCompatible(INetwork net, ImageDataset data)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Channels != net.InputChannels || data.Height != net.InputHeight || data.Width != net.InputWidth)
            throw new ArgumentException($"Dataset '{data.Name}' has samples of {data.Channels}x{data.Height}x{data.Width}; network '{net.Name}' takes {net.InputChannels}x{net.InputHeight}x{net.InputWidth}.", nameof(data));
        if (data.ClassCount > net.OutputSize)
            throw new ArgumentException($"Dataset '{data.Name}' has {data.ClassCount} classes; network '{net.Name}' has {net.OutputSize} outputs.", nameof(data));
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _pool?.Dispose();

    private EpochReport EndEpoch(int epoch, double trainLoss, double trainAccuracy, ImageDataset? test, double seconds, double samplesPerSecond, float learningRate)
    {
        EvaluationResult? evaluation = test is null ? null : Evaluate(test);
        double monitored = evaluation?.Loss ?? trainLoss;
        bool improved = monitored < Progress.BestMetric - _options.EarlyStoppingMinDelta;
        int without = improved ? 0 : Progress.EpochsWithoutImprovement + 1;
        bool stop = _options.EarlyStoppingPatience > 0 && without >= _options.EarlyStoppingPatience && epoch + 1 < _options.Epochs;
        Progress = Progress with
        {
            EpochsCompleted = epoch + 1,
            BestMetric = improved ? monitored : Progress.BestMetric,
            BestEpoch = improved ? epoch + 1 : Progress.BestEpoch,
            EpochsWithoutImprovement = without,
            StoppedEarly = stop,
        };
        if (improved && _options.BestModelPath is { } bestPath) ModelFile.Save(bestPath, _net, _options.Metadata);
        if (_options.CheckpointPath is { } checkpointPath) SaveCheckpoint(checkpointPath);
        var report = new EpochReport(epoch + 1, _options.Epochs, trainLoss, trainAccuracy, evaluation, seconds, samplesPerSecond, learningRate, improved, stop);
        EpochCompleted?.Invoke(report);
        return report;
    }

    private void EnsureWorkers()
    {
        if (_pool is not null) return;
        _workers = new Worker[_threads];
        for (int w = 0; w < _threads; w++)
            _workers[w] = new Worker(_net, Lanes, _samplesPerWorker, w == 0, _options.Augmentation is { IsIdentity: false });
        _pool = new WorkerPool(_threads);
    }

    // ---------------------------------------------------------------------------------------------
    // Fork/join 1: forward and backward over each worker's slice of the batch.

    private StepResult TrainBatch()
    {
        _gradientScale = 1f / _batchCount;
        _activeWorkers = Math.Min(_threads, (_batchCount + _samplesPerWorker - 1) / _samplesPerWorker);
        _pool!.Run(_trainJob);
        // combine in worker order
        double loss = 0;
        int correct = 0;
        for (int w = 0; w < _activeWorkers; w++)
        {
            loss += _results[w].LossSum;
            correct += _results[w].Correct;
        }
        return new StepResult(loss, correct);
    }

    private void TrainJob(int w)
    {
        int first = w * _samplesPerWorker;
        int count = Math.Min(_batchCount - first, _samplesPerWorker);
        _results[w] = default;
        if (count <= 0) return;
        var worker = _workers[w];
        // augmentation seeds come from (seed, epoch) and the sample's index, not from the worker: thread counts agree
        ulong augmentationSeed = Rng.Derive(Rng.Derive(_options.Seed, AugmentationStream), (ulong)_epoch);
        _data!.PackBatch(_order.AsSpan(_batchStart + first, count), Lanes, _options.Normalization, worker.Input, worker.Labels,
                         _options.Augmentation, augmentationSeed, worker.Scratch);
        Span<float> gradients = w == 0 ? _net.Gradients : worker.Gradients;
        if (!worker.GradientsZero) gradients.Clear(); // the update zeroes them while they are in cache (see UpdateJob)
        worker.GradientsZero = false;
        ulong noise = Rng.Derive(Rng.Derive(Rng.Derive(Rng.Derive(_options.Seed, NoiseStream), (ulong)_epoch), (ulong)_batch), (ulong)w);
        _results[w] = _net.TrainStep(worker.Workspace, worker.Input, worker.Labels, count, _gradientScale, gradients, noise);
    }

    // ---------------------------------------------------------------------------------------------
    // Fork/join 2: reduce the gradients and update the parameters, each worker over its own range.

    private void Update()
    {
        _optimizer.BeginStep(_net.ParameterCount);
        _pool!.Run(_updateJob);
        for (int k = 0; k < _activeWorkers; k++) _workers[k].GradientsZero = true;
    }

    private void UpdateJob(int w)
    {
        int start = Math.Min(w * _parametersPerWorker, _net.ParameterCount);
        int length = Math.Min(_parametersPerWorker, _net.ParameterCount - start);
        Span<float> sum = _net.Gradients.Slice(start, length);
        // sum = worker 0 + worker 1 + ... in this order
        // and each worker's range is zeroed as it is read, ready for its next batch: a separate Clear of the whole
        // gradient buffer before each batch streamed it through memory once more (BnNet, perf: this update and
        // memset 9.0% of the samples with that Clear, 7.1% without)
        for (int k = 1; k < _activeWorkers; k++)
            AddAndClear(sum, _workers[k].Gradients.AsSpan(start, length));
        float factor = 1f;
        if (_options.MaxGradientNorm > 0)
        {
            _partialSquares[w] = Optimizer.SumOfSquares(sum);
            _pool!.Sync(); // every worker reaches this, so no early return above
            double squares = 0;
            for (int k = 0; k < _threads; k++) squares += _partialSquares[k];
            factor = Optimizer.ClipFactor(Math.Sqrt(squares), _options.MaxGradientNorm);
        }
        if (length > 0)
            _optimizer.UpdateRange(_net.Parameters.Slice(start, length), sum, start, factor);
        sum.Clear(); // worker 0's gradients
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        // x - x is 0 for finite x and NaN for NaN and infinities
        float probe = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<float>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(values.Slice(i));
                acc += v - v;
            }
            probe = Vector.Sum(acc);
        }
        for (; i < values.Length; i++) probe += values[i] - values[i];
        return probe == 0;
    }

    /// <summary>sum += values, then values = 0.</summary>
    private static void AddAndClear(Span<float> sum, Span<float> values)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= sum.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                (new Vector<float>(sum.Slice(i)) + new Vector<float>(values.Slice(i))).CopyTo(sum.Slice(i));
                Vector<float>.Zero.CopyTo(values.Slice(i));
            }
        }
        for (; i < sum.Length; i++)
        {
            sum[i] += values[i];
            values[i] = 0;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Evaluation: inference over each worker's slice.

    private void EvaluateJob(int w)
    {
        int first = w * _samplesPerWorker;
        int count = Math.Min(_batchCount - first, _samplesPerWorker);
        if (count <= 0) return;
        var worker = _workers[w];
        Span<int> indices = worker.Indices.AsSpan(0, count);
        for (int i = 0; i < count; i++) indices[i] = _batchStart + first + i;
        _data!.PackBatch(indices, Lanes, _options.Normalization, worker.Input, worker.Labels);
        _net.Infer(worker.Workspace, worker.Input, count, worker.Probabilities);
        worker.EvaluationLoss += Metrics.ScoreBatch(worker.Probabilities, worker.Labels.AsSpan(0, count), _net.OutputSize, worker.Confusion);
    }

    /// <summary>One worker's buffers: workspace, packed input, labels, gradients (worker 0 uses the network's own).</summary>
    private sealed class Worker
    {
        public Worker(INetwork net, int lanes, int maxSamples, bool first, bool augment)
        {
            Workspace = net.CreateWorkspace(lanes, maxSamples);
            Input = new LaneBuffer<float>(LaneLayout.Length(maxSamples, net.InputSize, lanes)); // 64-byte aligned: unsplit vector loads
            Labels = new int[maxSamples];
            Indices = new int[maxSamples];
            Gradients = first ? [] : new float[net.ParameterCount];
            Scratch = augment ? new byte[lanes * net.InputSize] : [];
            Probabilities = new float[maxSamples * net.OutputSize];
            Confusion = new ConfusionMatrix(net.OutputSize);
        }

        public NetworkWorkspace Workspace { get; }
        public LaneBuffer<float> Input { get; }
        public int[] Labels { get; }
        public int[] Indices { get; }
        public float[] Gradients { get; }
        /// <summary>True when the last update zeroed this worker's gradients (worker 0: the network's), so the next batch need not.</summary>
        public bool GradientsZero { get; set; }
        /// <summary>One lane group of augmented sample bytes (empty without augmentation).</summary>
        public byte[] Scratch { get; }
        public float[] Probabilities { get; }
        public ConfusionMatrix Confusion { get; }
        public double EvaluationLoss { get; set; }
    }
}
