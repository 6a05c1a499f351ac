using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;

namespace CnnGen;

/// <summary>Weights compiled into a generated network (<see cref="OnnxNetworkAttribute"/>): base64 text of little-endian floats.</summary>
public static class EmbeddedWeights
{
    /// <summary>
    /// Decodes <paramref name="base64"/> (UTF-8 base64 of <paramref name="destination"/>.Length little-endian floats) into
    /// <paramref name="destination"/>; throws <see cref="FormatException"/> when it holds anything else.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> base64, Span<float> destination)
    {
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(base64.Length));
        try
        {
            if (Base64.DecodeFromUtf8(base64, bytes, out _, out int written) != OperationStatus.Done || written != destination.Length * sizeof(float))
                throw new FormatException($"The embedded weights do not hold {destination.Length} floats.");
            for (int i = 0; i < destination.Length; i++)
                destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float), sizeof(float)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
