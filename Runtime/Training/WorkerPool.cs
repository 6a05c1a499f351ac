using System;
using System.Threading;

namespace CnnGen.Training;

/// <summary>
/// Persistent worker threads that run one job on every worker and wait for all (a fork/join). The calling
/// thread is worker 0; workers 1..n-1 are background threads that live until <see cref="Dispose"/>.
/// Inside a job, <see cref="Sync"/> is a barrier among all workers.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly SpinningBarrier? _barrier;
    private readonly Thread[] _threads;
    private readonly Exception?[] _errors;
    private Action<int>? _job;
    private volatile bool _stopping;

    public WorkerPool(int workers)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), workers, "At least one worker thread is needed.");
        Count = workers;
        _errors = new Exception?[workers];
        _threads = new Thread[workers - 1];
        if (workers == 1) return;
        _barrier = new SpinningBarrier(workers);
        for (int w = 1; w < workers; w++)
        {
            int index = w;
            _threads[w - 1] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"CnnGen worker {w}" };
            _threads[w - 1].Start();
        }
    }

    /// <summary>Number of workers, including the calling thread.</summary>
    public int Count { get; }

    /// <summary>Runs <paramref name="job"/>(worker) on every worker and returns when all are done; rethrows the error of the lowest failing worker.</summary>
    public void Run(Action<int> job)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        if (_barrier is null)
        {
            job(0);
            return;
        }
        _job = job;
        _barrier.SignalAndWait(); // fork
        Execute(0);
        _barrier.SignalAndWait(); // join
        _job = null;
        for (int w = 0; w < Count; w++)
        {
            if (_errors[w] is { } error)
            {
                Array.Clear(_errors);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
            }
        }
    }

    /// <summary>A barrier among all workers, for use inside a job that every worker reaches.</summary>
    public void Sync() => _barrier?.SignalAndWait();

    private void Loop(int worker)
    {
        while (true)
        {
            _barrier!.SignalAndWait();
            if (_stopping) return;
            Execute(worker);
            _barrier.SignalAndWait();
        }
    }

    private void Execute(int worker)
    {
        try
        {
            _job!(worker);
        }
        catch (Exception e)
        {
            _errors[worker] = e;
        }
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        if (_barrier is null) return;
        _barrier.SignalAndWait(); // release the workers, which see _stopping and exit
        foreach (var thread in _threads) thread.Join();
    }
}
