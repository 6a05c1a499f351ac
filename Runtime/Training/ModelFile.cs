using System;
using System.Buffers;
using System.Collections.Generic;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;

namespace CnnGen.Training;

/// <summary>
/// Saves and loads a network's <see cref="INetwork.Parameters"/> and <see cref="INetwork.State"/> (a model file),
/// optionally with optimizer state and the training position (a checkpoint, for exact resume).
/// </summary>
/// <remarks>
/// Layout, little-endian:
/// <code>
/// header   magic 89 'C' 'N' 'N' 'G' 0D 0A 1A, u16 version (2), u16 kind (1 model, 2 checkpoint),
///          string network name, string fingerprint, i32 ParameterCount, i32 StateCount,
///          version 2 only: i32 metadata count, then count x (string key, string value),
///          i64 payload length, u32 CRC-32 of the payload, u32 CRC-32 of the header bytes before it
/// payload  f32[ParameterCount] parameters, f32[StateCount] state
///          checkpoint only: string optimizer kind, i64 optimizer steps, i32 buffer count, i32 buffer length,
///          f32[count x length] buffers, then the <see cref="TrainingProgress"/> fields
/// string   i32 byte length + UTF-8
/// </code>
/// Loading checks, in order: the magic (foreign file), version, header checksum, the fingerprint and sizes
/// against the network, the payload length against the file length (truncated or extended file), the payload
/// checksum; the network is modified only once everything is valid. Version-1 files (no metadata) are still read. Saving is atomic: the file is written to a
/// temporary file in the same directory, flushed to disk and moved over the destination.
/// </remarks>
public static class ModelFile
{
    /// <summary>The current format version (2 added the metadata section).</summary>
    public const int FormatVersion = 2;

    /// <summary>The oldest version this build reads.</summary>
    public const int OldestReadableVersion = 1;

    private static ReadOnlySpan<byte> Magic => [0x89, (byte)'C', (byte)'N', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A];
    private const ushort KindModel = 1, KindCheckpoint = 2;
    private const int MaxStringBytes = 1 << 20;
    private const long MaxFileBytes = int.MaxValue;

    /// <summary>Saves the network's parameters and state, and <paramref name="metadata"/> if given, to <paramref name="path"/> (atomically).</summary>
    public static void Save(string path, INetwork net, ModelMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        var payload = new ArrayBufferWriter<byte>();
        WriteFloats(payload, net.Parameters);
        WriteFloats(payload, net.State);
        WriteFile(path, net, KindModel, metadata ?? ModelMetadata.Empty, payload.WrittenSpan);
    }

    /// <summary>
    /// Saves a checkpoint: parameters, state, the optimizer's state and the training position (atomically).
    /// </summary>
    public static void SaveCheckpoint(string path, INetwork net, Optimizer optimizer, TrainingProgress progress, ModelMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(progress);
        var payload = new ArrayBufferWriter<byte>();
        WriteFloats(payload, net.Parameters);
        WriteFloats(payload, net.State);
        var state = optimizer.ExportState();
        WriteString(payload, state.Kind);
        WriteInt64(payload, state.StepCount);
        int bufferLength = state.Buffers.Length == 0 ? 0 : state.Buffers[0].Length;
        WriteInt32(payload, state.Buffers.Length);
        WriteInt32(payload, bufferLength);
        foreach (float[] buffer in state.Buffers) WriteFloats(payload, buffer);
        WriteInt32(payload, progress.EpochsCompleted);
        WriteInt64(payload, progress.StepsCompleted);
        WriteInt64(payload, (long)progress.Seed);
        WriteInt32(payload, progress.BatchSize);
        WriteInt64(payload, BitConverter.DoubleToInt64Bits(progress.BestMetric));
        WriteInt32(payload, progress.BestEpoch);
        WriteInt32(payload, progress.EpochsWithoutImprovement);
        WriteInt32(payload, progress.StoppedEarly ? 1 : 0);
        WriteFile(path, net, KindCheckpoint, metadata ?? ModelMetadata.Empty, payload.WrittenSpan);
    }

    /// <summary>
    /// Loads parameters and state from a model file or a checkpoint into <paramref name="net"/>, which must have
    /// the same fingerprint. Throws <see cref="ModelFileException"/> for a foreign, corrupted or mismatched file.
    /// </summary>
    public static ModelFileInfo Load(string path, INetwork net)
    {
        ArgumentNullException.ThrowIfNull(net);
        var (info, payload) = ReadAndValidate(path, net);
        var reader = new Reader(path, payload);
        float[] parameters = reader.Floats(info.ParameterCount);
        float[] state = reader.Floats(info.StateCount);
        if (!info.IsCheckpoint) reader.End();
        parameters.CopyTo(net.Parameters);
        state.CopyTo(net.State);
        return info;
    }

    /// <summary>
    /// Loads a checkpoint into <paramref name="net"/> and <paramref name="optimizer"/> (which must be of the saved kind)
    /// and returns the training position to resume from.
    /// </summary>
    public static TrainingProgress LoadCheckpoint(string path, INetwork net, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var checkpoint = ReadCheckpoint(path, net);
        Apply(path, checkpoint, net, optimizer);
        return checkpoint.Progress;
    }

    /// <summary>A parsed and validated checkpoint, not yet applied to a network.</summary>
    internal sealed record Checkpoint(float[] Parameters, float[] State, OptimizerState Optimizer, TrainingProgress Progress);

    /// <summary>Reads and validates a checkpoint for <paramref name="net"/> without modifying anything.</summary>
    internal static Checkpoint ReadCheckpoint(string path, INetwork net)
    {
        ArgumentNullException.ThrowIfNull(net);
        var (info, payload) = ReadAndValidate(path, net);
        if (!info.IsCheckpoint)
            throw new ModelFileException(path, "is a model file (weights only), not a checkpoint: it holds no optimizer state or training position to resume from.");
        var reader = new Reader(path, payload);
        float[] parameters = reader.Floats(info.ParameterCount);
        float[] state = reader.Floats(info.StateCount);
        string kind = reader.String();
        long steps = reader.Int64();
        int bufferCount = reader.Int32();
        int bufferLength = reader.Int32();
        if (bufferCount < 0 || bufferCount > 16 || (bufferCount > 0 && bufferLength != info.ParameterCount))
            throw new ModelFileException(path, $"has {bufferCount} optimizer buffers of {bufferLength} values; expected buffers of {info.ParameterCount} (one value per parameter).");
        var buffers = new float[bufferCount][];
        for (int i = 0; i < bufferCount; i++) buffers[i] = reader.Floats(bufferLength);
        var progress = new TrainingProgress
        {
            EpochsCompleted = reader.Int32(),
            StepsCompleted = reader.Int64(),
            Seed = (ulong)reader.Int64(),
            BatchSize = reader.Int32(),
            BestMetric = BitConverter.Int64BitsToDouble(reader.Int64()),
            BestEpoch = reader.Int32(),
            EpochsWithoutImprovement = reader.Int32(),
            StoppedEarly = reader.Int32() != 0,
        };
        reader.End();
        return new Checkpoint(parameters, state, new OptimizerState(kind, steps, buffers), progress);
    }

    /// <summary>Copies a validated checkpoint into the network and the optimizer (whose kind must match).</summary>
    internal static void Apply(string path, Checkpoint checkpoint, INetwork net, Optimizer optimizer)
    {
        if (checkpoint.Optimizer.Kind != optimizer.Kind)
            throw new ModelFileException(path, $"holds '{checkpoint.Optimizer.Kind}' optimizer state but the trainer uses a '{optimizer.Kind}' optimizer.");
        optimizer.ImportState(checkpoint.Optimizer);
        checkpoint.Parameters.CopyTo(net.Parameters);
        checkpoint.State.CopyTo(net.State);
    }

    /// <summary>Reads and checks only the header of <paramref name="path"/>.</summary>
    public static ModelFileInfo ReadInfo(string path)
    {
        byte[] bytes = ReadAllBytes(path);
        return ParseHeader(path, bytes, out _);
    }

    private static (ModelFileInfo Info, byte[] Payload) ReadAndValidate(string path, INetwork net)
    {
        byte[] bytes = ReadAllBytes(path);
        var info = ParseHeader(path, bytes, out int headerLength);
        if (info.Fingerprint != net.Fingerprint)
            throw new ModelFileException(path, $"was saved from network '{info.NetworkName}' with fingerprint '{info.Fingerprint}', which does not match network '{net.Name}' with fingerprint '{net.Fingerprint}'.");
        if (info.ParameterCount != net.ParameterCount || info.StateCount != net.StateCount)
            throw new ModelFileException(path, $"holds {info.ParameterCount} parameters and {info.StateCount} state values; network '{net.Name}' has {net.ParameterCount} and {net.StateCount}.");
        long actual = bytes.Length - headerLength;
        if (actual < info.PayloadLength)
            throw new ModelFileException(path, $"is truncated: the header declares a {info.PayloadLength}-byte payload but only {actual} bytes follow.");
        if (actual > info.PayloadLength)
            throw new ModelFileException(path, $"has {actual - info.PayloadLength} unexpected byte(s) after the {info.PayloadLength}-byte payload.");
        byte[] payload = bytes.AsSpan(headerLength).ToArray();
        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(headerLength - 8, 4));
        uint crc = Crc32.Compute(payload);
        if (crc != expected)
            throw new ModelFileException(path, $"is corrupted: the payload checksum is 0x{crc:X8} but the header records 0x{expected:X8}.");
        return (info, payload);
    }

    private static byte[] ReadAllBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
                throw new ModelFileException(path, $"is {length} bytes, larger than any model file this format can hold.");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    private static ModelFileInfo ParseHeader(string path, byte[] bytes, out int headerLength)
    {
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new ModelFileException(path, "is not a CnnGen model file (its first bytes are not the CnnGen magic number).");
        var reader = new Reader(path, bytes, Magic.Length, headerMode: true);
        int version = reader.UInt16();
        if (version < OldestReadableVersion || version > FormatVersion)
            throw new ModelFileException(path, $"has format version {version}; this build reads versions {OldestReadableVersion} to {FormatVersion}.");
        int kind = reader.UInt16();
        string name = reader.String();
        string fingerprint = reader.String();
        int parameterCount = reader.Int32();
        int stateCount = reader.Int32();
        var metadata = version >= 2 ? ReadMetadata(path, reader) : null;
        long payloadLength = reader.Int64();
        reader.UInt32(); // payload CRC, checked once the header is trusted
        int headerCrcOffset = reader.Position;
        uint headerCrc = reader.UInt32();
        headerLength = reader.Position;
        uint actual = Crc32.Compute(bytes.AsSpan(0, headerCrcOffset));
        if (actual != headerCrc)
            throw new ModelFileException(path, $"is corrupted: the header checksum is 0x{actual:X8} but the file records 0x{headerCrc:X8}.");
        if (kind is not (KindModel or KindCheckpoint))
            throw new ModelFileException(path, $"has unknown kind {kind} (1 is a model, 2 a checkpoint).");
        if (parameterCount < 0 || stateCount < 0 || payloadLength < 0)
            throw new ModelFileException(path, $"has negative sizes in its header ({parameterCount} parameters, {stateCount} state values, {payloadLength}-byte payload).");
        // Metadata that did not parse is reported only once the checksum says the header is intact (else "corrupted" is the news).
        if (metadata is { Problem: { } problem })
            throw new ModelFileException(path, $"is corrupted: {problem}");
        return new ModelFileInfo(version, kind == KindCheckpoint, name, fingerprint, parameterCount, stateCount, payloadLength)
        {
            Metadata = metadata?.Value ?? ModelMetadata.Empty,
        };
    }

    private sealed record MetadataRead(ModelMetadata? Value, string? Problem);

    private static MetadataRead ReadMetadata(string path, Reader reader)
    {
        int count = reader.Int32();
        if (count < 0 || count > ModelMetadata.MaxEntries)
            return new MetadataRead(null, $"its header declares {count} metadata entries (0 to {ModelMetadata.MaxEntries} are allowed).");
        var entries = new List<KeyValuePair<string, string>>(count);
        for (int i = 0; i < count; i++)
            entries.Add(new(reader.String(), reader.String()));
        try
        {
            return new MetadataRead(new ModelMetadata(entries), null);
        }
        catch (ArgumentException e)
        {
            return new MetadataRead(null, $"invalid metadata in its header: {e.Message}");
        }
    }

    private static void WriteFile(string path, INetwork net, ushort kind, ModelMetadata metadata, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(path);
        var header = new ArrayBufferWriter<byte>();
        header.Write(Magic);
        WriteUInt16(header, FormatVersion);
        WriteUInt16(header, kind);
        WriteString(header, net.Name);
        WriteString(header, net.Fingerprint);
        WriteInt32(header, net.ParameterCount);
        WriteInt32(header, net.StateCount);
        WriteInt32(header, metadata.Count);
        foreach (var (key, value) in metadata)
        {
            WriteString(header, key);
            WriteString(header, value);
        }
        WriteInt64(header, payload.Length);
        WriteUInt32(header, Crc32.Compute(payload));
        WriteUInt32(header, Crc32.Compute(header.WrittenSpan));

        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? ".";
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(header.WrittenSpan);
                stream.Write(payload);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
            RemoveStaleTemporaries(directory, Path.GetFileName(fullPath));
        }
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            // A full disk is an IOException; a file-size limit (EFBIG) surfaces as ArgumentOutOfRangeException from the write.
            if (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
                throw new ModelFileException(path, $"cannot be written: {e.Message} Any previous file at this path is unchanged.", e);
            throw;
        }
    }

    /// <summary>
    /// Deletes temporary files of earlier saves of the same model whose process is gone (a save killed midway leaves
    /// one). Files of live processes, including saves running now, are left alone. Best effort: errors are ignored.
    /// </summary>
    private static void RemoveStaleTemporaries(string directory, string fileName)
    {
        try
        {
            string prefix = "." + fileName + ".";
            foreach (string candidate in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
            {
                string rest = Path.GetFileName(candidate).Substring(prefix.Length);
                int dot = rest.IndexOf('.');
                if (dot <= 0 || !int.TryParse(rest.AsSpan(0, dot), out int pid) || ProcessIsRunning(pid)) continue;
                try { File.Delete(candidate); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static bool ProcessIsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static void WriteFloats(IBufferWriter<byte> writer, ReadOnlySpan<float> values)
    {
        Span<byte> span = writer.GetSpan(values.Length * 4);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(span.Slice(i * 4, 4), values[i]);
        writer.Advance(values.Length * 4);
    }

    private static void WriteString(IBufferWriter<byte> writer, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteInt32(writer, bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteUInt16(IBufferWriter<byte> w, int v) { BinaryPrimitives.WriteUInt16LittleEndian(w.GetSpan(2), (ushort)v); w.Advance(2); }
    private static void WriteInt32(IBufferWriter<byte> w, int v) { BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), v); w.Advance(4); }
    private static void WriteUInt32(IBufferWriter<byte> w, uint v) { BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), v); w.Advance(4); }
    private static void WriteInt64(IBufferWriter<byte> w, long v) { BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), v); w.Advance(8); }

    /// <summary>Bounds-checked little-endian reads with errors naming the file.</summary>
    private sealed class Reader(string path, byte[] bytes, int position = 0, bool headerMode = false)
    {
        public int Position => position;

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > bytes.Length - position)
                throw new ModelFileException(path, headerMode
                    ? $"is truncated: its header ends after {bytes.Length} bytes."
                    : $"is corrupted: a field at payload offset {position} runs past the end of the {bytes.Length}-byte payload.");
            var span = bytes.AsSpan(position, count);
            position += count;
            return span;
        }

        public int UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public string String()
        {
            int length = Int32();
            if (length < 0 || length > MaxStringBytes)
                throw new ModelFileException(path, $"is corrupted: a string of {length} bytes at offset {position - 4}.");
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(length));
            }
            catch (DecoderFallbackException e)
            {
                throw new ModelFileException(path, $"is corrupted: invalid UTF-8 text at offset {position - length}.", e);
            }
        }

        public float[] Floats(int count)
        {
            if (count < 0 || count > (bytes.Length - position) / 4)
                throw new ModelFileException(path, $"is corrupted: {count} values at payload offset {position} run past the end of the {bytes.Length}-byte payload.");
            ReadOnlySpan<byte> span = Take(count * 4);
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i * 4, 4));
            return values;
        }

        public void End()
        {
            if (position != bytes.Length)
                throw new ModelFileException(path, $"is corrupted: {bytes.Length - position} unread byte(s) at the end of the payload.");
        }
    }
}
