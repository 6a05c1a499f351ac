using System;
using System.IO;

namespace CnnGen.Onnx;

/// <summary>Reads model files for the importers (the graph code itself reads bytes only: the source generator shares it).</summary>
internal static class OnnxFile
{
    public static byte[] Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException(path, null, e is FileNotFoundException or DirectoryNotFoundException ? "does not exist." : "cannot be read: " + e.Message, e);
        }
    }
}
