using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnGen.Benchmarks.Generator;

/// <summary>The projects the generator is measured on, as in-memory compilations (the running BCL plus CnnGen.Runtime).</summary>
internal static class Sources
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    public const string LeNet5 = """
        using CnnGen;

        namespace Bench;

        [Network(1, 28, 28)]
        [Conv2D(6, 5, Padding = 2), ReLU, MaxPool(2)]
        [Conv2D(16, 5), ReLU, MaxPool(2)]
        [Flatten, Dense(120), ReLU, Dense(84), ReLU, Dense(10), Softmax]
        public partial class LeNet5 { }
        """;

    /// <summary>A file that has nothing to do with any network; the "unrelated edit" changes its method body.</summary>
    public static string Unrelated(int value) => $$"""
        namespace Bench;

        public static class Settings
        {
            public static int Epochs() => {{value.ToString(CultureInfo.InvariantCulture)}};
        }
        """;

    /// <summary>
    /// One of the 20 networks of the many-networks project: LeNet-like, with filters and kernels varied by
    /// <paramref name="i"/>; <paramref name="kernel"/> is the second convolution's kernel (3 or 5 keep every shape valid).
    /// </summary>
    public static string Network(int i, int? kernel = null)
    {
        int k1 = i % 2 == 0 ? 5 : 3, k2 = kernel ?? (i % 3 == 0 ? 3 : 5);
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        return $$"""
            using CnnGen;

            namespace Bench;

            [Network(1, 28, 28)]
            [Conv2D({{I(4 + i % 5)}}, {{I(k1)}}, Padding = {{I(k1 / 2)}}), ReLU, MaxPool(2)]
            [Conv2D({{I(8 + i % 7)}}, {{I(k2)}}), ReLU, MaxPool(2)]
            [Flatten, Dense({{I(32 + 4 * i)}}), ReLU, Dense(10), Softmax]
            public partial class Net{{I(i)}} { }
            """;
    }

    /// <summary>60 layers: 19 x (Conv2D 3x3 padded, BatchNorm, ReLU), then Flatten, Dense, Softmax.</summary>
    public static string Deep60()
    {
        var text = new StringBuilder("using CnnGen;\n\nnamespace Bench;\n\n[Network(1, 16, 16)]\n");
        for (int i = 0; i < 19; i++)
            text.Append("[Conv2D(8, 3, Padding = 1), BatchNorm, ReLU]\n");
        text.Append("[Flatten, Dense(10), Softmax]\npublic partial class Deep60 { }\n");
        return text.ToString();
    }

    public static SyntaxTree Parse(string text, string path) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: path);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var tpa = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator);
        return tpa.Where(p => p.Length > 0 && string.Equals(Path.GetDirectoryName(p), runtimeDirectory, StringComparison.Ordinal))
            .Append(typeof(CnnGen.INetwork).Assembly.Location)
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    public static CSharpCompilation Compilation(IEnumerable<SyntaxTree> trees) =>
        CSharpCompilation.Create("Bench", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static CSharpCompilation LeNet5Project() =>
        Compilation(new[] { Parse(LeNet5, "LeNet5.cs"), Parse(Unrelated(1), "Settings.cs") });

    public static CSharpCompilation TwentyNetworksProject() =>
        Compilation(Enumerable.Range(0, 20).Select(i => Parse(Network(i), $"Net{i}.cs")).Append(Parse(Unrelated(1), "Settings.cs")));

    public static CSharpCompilation Deep60Project() =>
        Compilation(new[] { Parse(Deep60(), "Deep60.cs"), Parse(Unrelated(1), "Settings.cs") });

    /// <summary>The same project with one file's text replaced (the tree is parsed here, not in the measured code).</summary>
    public static SyntaxTree Edited(CSharpCompilation compilation, string path, string text) =>
        compilation.SyntaxTrees.Single(t => t.FilePath == path).WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(text));
}
