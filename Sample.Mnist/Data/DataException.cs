using System;

namespace CnnGen.Sample.Mnist.Data;

/// <summary>
/// A user-facing problem with the data the user pointed the sample at (a file that does not decode, a class folder
/// with no images, labels outside the class count, ...): the message names the file and the problem, and is
/// printed as one <c>error:</c> line without a stack trace.
/// </summary>
public sealed class DataException(string message, Exception? inner = null) : Exception(message, inner);
