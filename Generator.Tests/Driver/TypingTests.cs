using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// Half-typed attributes (what the IDE runs the generator on between keystrokes): the compiler reports the error,
/// and the generator must neither throw nor pile its own errors on top of broken arguments.
/// </summary>
public class TypingTests
{
    [Theory]
    [InlineData("[Network(1, 28, 28)] [Conv2D(] public partial class T { }")]
    [InlineData("[Network(1, 28, 28)] [Conv2D(6, ), ReLU] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(1, 28, 28)] [Conv2D(6, 5, Padding = )] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(1, 28, 28)] [Conv2D(6, 5, Padding = \"2\")] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(1, 28)] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(\"1\", 28, 28)] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(size)] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(1, 28, 28, Unroll = )] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(10)] [Dense] [Softmax] public partial class T { }")]
    [InlineData("[Network(10)] [Dense(2, Bias = 1), Softmax] public partial class T { }")]
    [InlineData("[Network(10)] [Dense(2), Softmax(1)] public partial class T { }")]
    [InlineData("[Network(1, 8, 8)] [MaxPool(2.5), Flatten, Dense(2), Softmax] public partial class T { }")]
    [InlineData("[Network(1, 8, 8)] [Conv2D(6, 5")]
    [InlineData("[Network(1, 8, 8)] [Conv2D(6, 5)] [Flatten, Dense(2), Softmax] public partial class")]
    [InlineData("[Network(10)] [Dense(2, Name = ), Softmax] public partial class T { }")]
    [InlineData("[Conv2D(] public partial class T { }")]
    public void Half_typed_attributes_do_not_crash_the_generator(string body)
    {
        var run = GeneratorHarness.Run("using CnnGen;\n" + body + "\n").AssertNoGeneratorException();
        // The compiler already reports the broken attribute.
        Assert.Contains(run.Input.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        // Our diagnostics, if any, are about the network, never an internal error.
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "CNN020");
        Assert.All(run.Diagnostics, d => Assert.StartsWith("CNN", d.Id));
    }

    /// <summary>A broken argument gives no CnnGen diagnostic at all: the compiler's error is the one to fix.</summary>
    [Theory]
    [InlineData("[Network(1, 28, 28)] [Conv2D(6, ), ReLU] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(1, 28)] [Flatten, Dense(10), Softmax] public partial class T { }")]
    [InlineData("[Network(10)] [Dense] [Softmax] public partial class T { }")]
    public void Broken_arguments_add_no_CnnGen_diagnostic_and_no_code(string body)
    {
        var run = GeneratorHarness.Run("using CnnGen;\n" + body + "\n").AssertNoGeneratorException();
        Assert.Empty(run.Diagnostics);
        Assert.Empty(run.Sources);
    }
}
