namespace CnnGen.Data;

/// <summary>How an IDX image array is laid out (see <see cref="IdxReader.ImageShape"/>).</summary>
/// <param name="Count">Images.</param>
/// <param name="Channels">1 or 3.</param>
/// <param name="Height">Rows per image.</param>
/// <param name="Width">Columns per image.</param>
/// <param name="ChannelLast">True for <c>count x H x W x C</c> (pixels interleaved); false for channel-first.</param>
public readonly record struct IdxImageShape(int Count, int Channels, int Height, int Width, bool ChannelLast);
