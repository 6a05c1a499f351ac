using System;
using System.Linq;
using CnnGen.Generator.Layers;
using Xunit;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>The generator never references Runtime.dll, so its attribute names are strings: check them against the real types.</summary>
public class KnownNamesTests
{
    [Fact]
    public void Network_is_the_full_name_of_its_runtime_attribute()
    {
        Assert.Equal(KnownNames.Network, typeof(NetworkAttribute).FullName);
        Assert.Equal(KnownNames.NetworkMetadataName, typeof(NetworkAttribute).Name);
    }

    /// <summary>Every registered kind names a Runtime layer attribute, and every layer attribute in Runtime is registered once.</summary>
    [Fact]
    public void Registry_covers_every_runtime_layer_attribute_once()
    {
        foreach (var kind in LayerRegistry.Kinds)
        {
            var type = typeof(INetwork).Assembly.GetType(kind.Attribute);
            Assert.True(type is not null, $"Layer kind {kind.Title} names no type in CnnGen.Runtime: {kind.Attribute}.");
            Assert.True(type!.IsSubclassOf(typeof(LayerAttribute)), $"{kind.Attribute} is not a LayerAttribute.");
            // what LayerRegistry.Find(INamedTypeSymbol) matches on: the namespace and the type's own metadata name
            Assert.Equal(KnownNames.RuntimeNamespace, type.Namespace);
            Assert.Equal(kind.MetadataName, type.Name);
        }

        var runtimeLayers = typeof(INetwork).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LayerAttribute)) && !t.IsAbstract)
            .Select(t => t.FullName!)
            .OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(runtimeLayers, LayerRegistry.Kinds.Select(k => k.Attribute).OrderBy(n => n, StringComparer.Ordinal));
    }

    /// <summary>Generated names are stem + ordinal: two kinds sharing a stem would give two layers one name.</summary>
    [Fact]
    public void Name_stems_are_distinct()
    {
        var stems = LayerRegistry.Kinds.Select(k => k.Stem).ToList();
        Assert.Equal(stems.Count, stems.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
}
