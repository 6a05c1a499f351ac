using System;

namespace CnnGen.Data;

/// <summary>An IDX file (or stream) that is malformed: the message names the file and the problem.</summary>
public sealed class IdxFormatException : Exception
{
    /// <summary>Creates the exception; the message is prefixed with the file name.</summary>
    public IdxFormatException(string fileName, string problem, Exception? inner = null)
        : base($"IDX file '{fileName}': {problem}", inner)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The file (or stream name) that failed to parse.</summary>
    public string FileName { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
