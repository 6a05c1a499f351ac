using System.Linq;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// The numbers the code fixes read from Diagnostic.Properties (CodeFixes.Tests applies them; here, the generator's side):
/// CNN004 and CNN006 the padding, CNN005 the window size, CNN018 an unused name; no property where no fix exists.
/// </summary>
public class DiagnosticPropertiesTests
{
    private static string Net(string layers, string input = "1, 8, 8") =>
        $"using CnnGen;\nnamespace Samples;\n[Network({input})]\n{layers}\npublic partial class Net {{ }}\n";

    private static string? Property(string source, string id, string key)
    {
        var d = Assert.Single(GeneratorHarness.Run(source).CnnDiagnostics, d => d.Id == id);
        return d.Properties.TryGetValue(key, out var value) ? value : null;
    }

    [Theory]
    [InlineData("[Conv2D(4, 9), ReLU]", "1, 8, 8", "1")]                 // 8 + 2 >= 9
    [InlineData("[Conv2D(4, 9, Padding = 0), ReLU]", "1, 4, 6", "3")]    // the shorter side: 4 + 6 >= 9
    [InlineData("[Conv2D(4, 7, Stride = 3), ReLU]", "1, 6, 6", "2")]     // 1 fits, but 2 also covers every row
    [InlineData("[Conv2D(4, 7, Stride = 2), ReLU]", "1, 6, 6", "1")]     // no padding covers the rows: the smallest that fits
    public void CNN004_carries_the_padding_that_fits(string layers, string input, string padding) =>
        Assert.Equal(padding, Property(Net(layers + "\n[Flatten, Dense(2), Softmax]", input), "CNN004", "Padding"));

    [Theory]
    [InlineData("[Conv2D(4, 5, Stride = 3), ReLU]", "1, 9, 9", "1")]     // 9 + 2 - 5 = 6, a multiple of 3
    [InlineData("[Conv2D(4, 4, Stride = 4), ReLU]", "1, 10, 10", "1")]   // 10 + 2 - 4 = 8, a multiple of 4
    public void CNN006_carries_the_padding_that_covers_the_rows(string layers, string input, string padding)
    {
        string source = Net(layers + "\n[Flatten, Dense(2), Softmax]", input);
        var d = Assert.Single(GeneratorHarness.Run(source).CnnDiagnostics, d => d.Id == "CNN006");
        Assert.True(d.Properties.TryGetValue("Padding", out var value), "no Padding property");
        Assert.Equal(padding, value);
    }

    [Theory]
    [InlineData("[Conv2D(4, 3, Stride = 2), ReLU]", "1, 8, 8")]          // odd remainder, stride 2: padding adds rows in pairs
    [InlineData("[Conv2D(4, 1), ReLU, MaxPool(2)]", "1, 5, 5")]          // pooling has no padding
    public void CNN006_carries_no_padding_where_none_helps(string layers, string input) =>
        Assert.Null(Property(Net(layers + "\n[Flatten, Dense(2), Softmax]", input), "CNN006", "Padding"));

    [Fact]
    public void CNN005_carries_the_largest_window_that_fits() =>
        Assert.Equal("5", Property(Net("[Conv2D(4, 3), ReLU, MaxPool(8)]\n[Flatten, Dense(2), Softmax]", "1, 7, 9"), "CNN005", "Size"));

    [Fact]
    public void CNN018_carries_names_that_clash_with_no_layer_and_no_other_suggestion()
    {
        string source = Net("[Dense(8, Name = \"Hidden\"), ReLU, Dense(8, Name = \"hidden\"), ReLU(Name = \"Hidden_2\"), Dense(8, Name = \"Hidden\")]\n[Dense(2), Softmax]", "16");
        var names = GeneratorHarness.Run(source).CnnDiagnostics.Where(d => d.Id == "CNN018").Select(d => d.Properties["Name"]).ToList();
        // "Hidden_2" is a layer's own name, so the two duplicates get _3 and _4.
        Assert.Equal(new[] { "hidden_3", "Hidden_4" }, names);
    }
}
