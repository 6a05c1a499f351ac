using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Tests.Driver;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Generator.Tests.Properties;

/// <summary>
/// Attributes written in unusual but legal ways give exactly the code of the plain spelling; broken ones being typed
/// give a diagnostic (the compiler's or ours) and never a generator exception.
/// </summary>
public class AttributeSyntaxTests
{
    private const string Plain = """
        using CnnGen;
        namespace Samples;
        [Network(1, 12, 12)]
        [Conv2D(6, 5, Padding = 2), LeakyReLU(0.0), MaxPool(2)]
        [Flatten, Dense(10), Dropout(0.5), Softmax]
        public partial class Net { }
        """;

    public static IEnumerable<object[]> Equivalent() => new[]
    {
        // C# named parameters (ctor names, any order) and an explicit default
        """
        using CnnGen;
        namespace Samples;
        [Network(channels: 1, width: 12, height: 12)]
        [Conv2D(kernel: 5, filters: 6, Padding = 2, Bias = true), LeakyReLU(slope: 0), MaxPool(stride: 2, size: 2)]
        [Flatten, Dense(units: 10), Dropout(rate: 0.5), Softmax]
        public partial class Net { }
        """,
        // constants of the class itself and of another class, expressions, casts, a float for a double
        """
        using CnnGen;
        namespace Samples;
        static class Sizes { public const int Classes = 10; public const double Half = 1.0 / 2; }
        [Network(C, S, S)]
        [Conv2D(K * 2, Size, Padding = Size / 2), LeakyReLU(0f), MaxPool(Size - 3)]
        [Flatten, Dense((int)(Sizes.Classes * 1.0)), Dropout(Sizes.Half), Softmax]
        public partial class Net { const int C = 1, S = 12, K = 3, Size = 5; }
        """,
        // using aliases, the Attribute suffix, qualified and global:: names
        """
        using C2 = CnnGen.Conv2DAttribute;
        using Net0 = CnnGen.NetworkAttribute;
        namespace Samples;
        [Net0(1, 12, 12)]
        [C2(6, 5, Padding = 2), CnnGen.LeakyReLUAttribute(0.0), global::CnnGen.MaxPool(2)]
        [CnnGen.Flatten, global::CnnGen.DenseAttribute(10), CnnGen.Dropout(0.5), CnnGen.SoftmaxAttribute]
        public partial class Net { }
        """,
        // one attribute per list, the type: target, comments, a trailing comma, and #if
        """
        using CnnGen;
        namespace Samples;
        [type: Network(1, 12, 12)]
        [Conv2D(6, 5, Padding = 2)] /* the activation: */ [LeakyReLU(0.0)]
        [MaxPool(2),]
        #if false
        [Dropout(0.9)]
        #endif
        [Flatten]
        // [Dense(99)]
        [Dense(10)]
        [Dropout(0.5)]
        [Softmax]
        public partial class Net { }
        """,
        // a block namespace, other modifiers and members, Name = null (the default name)
        """
        using CnnGen;
        namespace Samples
        {
            [Network(1, 12, 12, Unroll = (Unroll)0)]
            [Conv2D(6, 5, Padding = 2, Name = null), LeakyReLU(0.0), MaxPool(2)]
            [Flatten, Dense(-(-10)), Dropout(0.5), Softmax]
            public sealed partial class Net
            {
                public int Extra => 1;
            }
        }
        """,
    }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Equivalent))]
    public void Unusual_spellings_give_the_code_of_the_plain_spelling(string source)
    {
        var expected = GeneratorHarness.RunClean(Plain);
        var actual = GeneratorHarness.RunClean(source);
        Assert.Equal(expected.Sources.Single().HintName, actual.Sources.Single().HintName);
        Assert.Equal(expected.Sources.Single().SourceText.ToString(), actual.Sources.Single().SourceText.ToString());
    }

    [Fact]
    public void A_global_using_in_another_file_is_enough()
    {
        var run = GeneratorHarness.RunClean("global using CnnGen;", Plain.Replace("using CnnGen;\n", ""));
        Assert.Equal(GeneratorHarness.RunClean(Plain).Sources.Single().SourceText.ToString(), run.Sources.Single().SourceText.ToString());
    }

    [Fact]
    public void A_global_using_alias_works()
    {
        var run = GeneratorHarness.RunClean("global using Layer = CnnGen.Conv2DAttribute;", Plain.Replace("Conv2D(", "Layer("));
        Assert.Equal(GeneratorHarness.RunClean(Plain).Sources.Single().SourceText.ToString(), run.Sources.Single().SourceText.ToString());
    }

    [Theory]
    [InlineData("namespace Outer { namespace Inner {", "} }", "Outer.Inner.Net.g.cs")]
    [InlineData("namespace Outer.Inner {", "}", "Outer.Inner.Net.g.cs")]
    [InlineData("namespace Outer.Inner;", "", "Outer.Inner.Net.g.cs")]
    [InlineData("", "", "Net.g.cs")]
    public void Nested_file_scoped_and_global_namespaces_compile(string open, string close, string hintName)
    {
        var run = GeneratorHarness.RunClean(
            "using CnnGen;\n" + open + "\n[Network(1, 12, 12)]\n[Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]\n[Flatten, Dense(10), Softmax]\npublic partial class Net { }\n" + close);
        Assert.Equal(hintName, run.Sources.Single().HintName);
    }

    /// <summary>While the user types, the compiler reports the broken attribute; the generator must not crash or emit.</summary>
    [Theory]
    [InlineData("[Network(1, 12, 12)] [Conv2D(6)] [Flatten, Dense(10), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Conv2D(6, K)] [Flatten, Dense(10), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Conv2D(filters: 6, kernal: 5)] [Flatten, Dense(10), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Conv2D(6, 5, Paddin = 2)] [Flatten, Dense(10), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Conv2D(6, 5, Padding = 2.5)] [Flatten, Dense(10), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Conv2D(6, 5), Relu] [Flatten, Dense(10), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Conv2D(6, 5), ReLU()] [Flatten, Dense(10), Softmax(] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Flatten, Dense(10, Bias = null), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Flatten, Dense(10), Dropout(\"0.5\"), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Flatten, Dense(10 / 0), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Flatten, Dense(int.MaxValue + 1), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12), Network(1, 12, 12)] [Flatten, Dense(10), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12, Unroll = 1)] [Flatten, Dense(10), Softmax] public partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Flatten, Dense(10), Softmax] public partial class Net : Net { }")]
    [InlineData("[Network(1, 12, 12)] [Flatten, Dense(10), Softmax] public static partial class Net { }")]
    [InlineData("[Network(1, 12, 12)] [Flatten, Dense(10), Softmax] public partial class Net { public int Parameters; }")]
    public void Broken_attributes_give_a_diagnostic_and_no_crash(string body)
    {
        var run = GeneratorHarness.Run("using CnnGen;\nnamespace Samples;\n" + body);
        run.AssertNoGeneratorException();
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "CNN020");
        // a diagnostic from us, or from the compiler on the input or on the output
        bool reported = run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)
                        || run.Input.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)
                        || run.Output.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        Assert.True(reported, "Broken input without any error:\n" + body);
    }

    /// <summary>[Network] on a <c>partial record</c> (a class, so the attribute is legal) is reported as CNN022.</summary>
    [Fact]
    public void A_network_record_gets_code_or_a_diagnostic()
    {
        var run = GeneratorHarness.Run("using CnnGen;\nnamespace Samples;\n[Network(1, 12, 12)] [Flatten, Dense(10), Softmax] public partial record Net { }");
        run.AssertNoGeneratorException();
        Assert.True(run.Sources.Length == 1 || run.CnnDiagnostics.Length > 0);
    }
}
