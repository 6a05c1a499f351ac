using System;
using System.Linq;
using System.Reflection;
using CnnGen.Generator.Model;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>The generator never references Runtime.dll, so its attribute names are strings: check them against the real types.</summary>
public class KnownNamesTests
{
    [Fact]
    public void Each_constant_is_the_full_name_of_its_runtime_attribute()
    {
        Assert.Equal(KnownNames.Network, typeof(NetworkAttribute).FullName);
        Assert.Equal(KnownNames.Conv2D, typeof(Conv2DAttribute).FullName);
        Assert.Equal(KnownNames.ReLU, typeof(ReLUAttribute).FullName);
        Assert.Equal(KnownNames.LeakyReLU, typeof(LeakyReLUAttribute).FullName);
        Assert.Equal(KnownNames.Tanh, typeof(TanhAttribute).FullName);
        Assert.Equal(KnownNames.Sigmoid, typeof(SigmoidAttribute).FullName);
        Assert.Equal(KnownNames.MaxPool, typeof(MaxPoolAttribute).FullName);
        Assert.Equal(KnownNames.AvgPool, typeof(AvgPoolAttribute).FullName);
        Assert.Equal(KnownNames.Flatten, typeof(FlattenAttribute).FullName);
        Assert.Equal(KnownNames.Dense, typeof(DenseAttribute).FullName);
        Assert.Equal(KnownNames.Dropout, typeof(DropoutAttribute).FullName);
        Assert.Equal(KnownNames.BatchNorm, typeof(BatchNormAttribute).FullName);
        Assert.Equal(KnownNames.Softmax, typeof(SoftmaxAttribute).FullName);
    }

    [Fact]
    public void Every_constant_is_checked_above_and_names_a_runtime_attribute()
    {
        var constants = typeof(KnownNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).ToList();
        Assert.Equal(13, constants.Count); // one per Assert.Equal in the test above
        foreach (var field in constants)
        {
            var type = typeof(INetwork).Assembly.GetType((string)field.GetRawConstantValue()!);
            Assert.True(type is not null, $"KnownNames.{field.Name} names no type in CnnGen.Runtime.");
            Assert.Equal(field.Name + "Attribute", type!.Name);
        }
    }

    /// <summary><c>KnownNames.Layers[i]</c> is the attribute of <c>(LayerKind)i</c>, and every layer attribute in Runtime is listed.</summary>
    [Fact]
    public void Layers_follow_LayerKind_and_cover_every_runtime_layer_attribute()
    {
        var kinds = Enum.GetValues<LayerKind>();
        Assert.Equal(kinds.Length, KnownNames.Layers.Length);
        for (int i = 0; i < kinds.Length; i++)
            Assert.Equal($"CnnGen.{kinds[i]}Attribute", KnownNames.Layers[i]);

        var runtimeLayers = typeof(INetwork).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LayerAttribute)) && !t.IsAbstract)
            .Select(t => t.FullName!)
            .OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(runtimeLayers, KnownNames.Layers.OrderBy(n => n, StringComparer.Ordinal));
    }
}
