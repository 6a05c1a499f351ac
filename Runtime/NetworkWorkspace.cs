using System;

namespace CnnGen;

/// <summary>Activation and scratch buffers for one thread's batches; create with <see cref="INetwork.CreateWorkspace"/>.</summary>
public abstract class NetworkWorkspace
{
    protected NetworkWorkspace(int lanes, int maxSamples)
    {
        LaneWidths.Check(lanes, nameof(lanes));
        if (maxSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(maxSamples), maxSamples, "A workspace must hold at least one sample.");
        Lanes = lanes;
        MaxSamples = maxSamples;
        Groups = (maxSamples + lanes - 1) / lanes;
    }

    /// <summary>Samples per SIMD value: 1, 4, 8 or 16 (<see cref="LaneWidths"/>).</summary>
    public int Lanes { get; }
    /// <summary>The largest batch this workspace holds.</summary>
    public int MaxSamples { get; }
    /// <summary>Lane groups: <c>ceil(MaxSamples / Lanes)</c>.</summary>
    public int Groups { get; }

    /// <summary>Checks a batch against this workspace and returns its lane-group count; throws a clear error otherwise.</summary>
    public int CheckBatch(int count, int inputLength, int inputSize)
    {
        if (count < 1 || count > MaxSamples)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Batch of {count} samples does not fit a workspace made for 1..{MaxSamples}.");
        int groups = (count + Lanes - 1) / Lanes;
        int needed = groups * inputSize * Lanes;
        if (inputLength < needed)
            throw new ArgumentException($"Input holds {inputLength} values; a batch of {count} samples at {Lanes} lanes needs {needed} ({groups} groups x {inputSize} x {Lanes}).", "input");
        return groups;
    }

    /// <summary>
    /// Lane groups per chunk when a long batch is run for inference: as many as keep one chunk's activations within
    /// about 4 MB, so each layer's output is still in the cache when the next layer reads it (at least 1).
    /// </summary>
    public static int ChunkGroups(long activationBytesPerGroup) =>
        (int)Math.Clamp((4L << 20) / Math.Max(1, activationBytesPerGroup), 1, int.MaxValue);

    /// <summary>
    /// The fastest lane count this CPU runs natively: 16 with accelerated Vector512 (AVX-512), 8 with Vector256 (AVX2),
    /// 4 with Vector128 (ARM64 NEON, x64 without AVX), else 1; and 1 in WebAssembly.
    /// </summary>
    /// <remarks>
    /// In the browser .NET 10 interprets the IL (without the wasm-tools workload's AOT), and there one sample per value
    /// is both the fastest and the only right choice, measured in Chromium 156 on LeNet-5's Predict: 5.1 ms at 1 lane,
    /// 44 ms at 4 lanes (Lane4's exact fused multiply-add emulation: WebAssembly has no FMA instruction), 7.9 ms at 4 lanes
    /// with plain multiply-add; and Lane4's emulated kernels return wrong values (NaN) from the third call on, once the
    /// interpreter has optimized them, although each Lane4 operation alone is right there (Sample.Web's <c>?selftest</c>).
    /// </remarks>
    public static int PreferredLanes =>
        OperatingSystem.IsBrowser() || OperatingSystem.IsWasi() ? 1 :
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 16 :
        System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 8 :
        System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? 4 : 1;
}
