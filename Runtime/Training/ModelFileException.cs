using System;

namespace CnnGen.Training;

/// <summary>A model or checkpoint file that cannot be loaded or saved: the message names the file and the problem.</summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with the file name.</summary>
    public ModelFileException(string fileName, string problem, Exception? inner = null)
        : base($"Model file '{fileName}': {problem}", inner)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The file that failed to load.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
