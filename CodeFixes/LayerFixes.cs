using System.Linq;
using CnnGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.CodeFixes;

/// <summary>CNN007: inserts <c>Flatten</c> just before the Dense (or final Softmax) layer, in the same attribute list.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertFlattenFix))]
public sealed class InsertFlattenFix : CnnCodeFix
{
    public InsertFlattenFix() : base(DiagnosticDescriptors.DenseNeedsFlatInput.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute is null) return null;
        string? kind = LayerSyntax.Kind(LayerSyntax.AttributeClass(input.Model, attribute, input.CancellationToken));
        if (kind is not ("Dense" or "Softmax")) return null;
        return new PlannedFix($"Insert Flatten before {LayerSyntax.Display(attribute)}",
            LayerSyntax.InsertBefore(attribute, LayerSyntax.SiblingName(attribute, "Flatten")));
    }
}

/// <summary>
/// CNN009: appends <c>Softmax</c> after the last layer. When the network has a Softmax elsewhere, CNN010's fix (move it)
/// is the right one, and this fix is not offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AppendSoftmaxFix))]
public sealed class AppendSoftmaxFix : CnnCodeFix
{
    public AppendSoftmaxFix() : base(DiagnosticDescriptors.MissingSoftmax.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute is null) return null;
        var layers = LayerSyntax.Layers(input.Model, attribute, input.CancellationToken);
        // Reported on the network attribute when there is no layer at all: a Softmax alone trains nothing.
        if (layers.IsEmpty || layers.Any(l => l.Kind == "Softmax")) return null;
        var last = layers[layers.Length - 1].Syntax;
        return new PlannedFix($"Append Softmax after {LayerSyntax.Display(last)}",
            LayerSyntax.InsertAfter(last, LayerSyntax.SiblingName(last, "Softmax")));
    }
}

/// <summary>CNN010: moves the Softmax (as written, with its arguments) from where it is to just after the last layer.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveSoftmaxFix))]
public sealed class MoveSoftmaxFix : CnnCodeFix
{
    public MoveSoftmaxFix() : base(DiagnosticDescriptors.MisplacedSoftmax.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute is null) return null;
        var layers = LayerSyntax.Layers(input.Model, attribute, input.CancellationToken);
        if (!layers.Any(l => l.Syntax == attribute && l.Kind == "Softmax")) return null;
        var last = layers[layers.Length - 1].Syntax;
        if (last == attribute) return null;
        var remove = LayerSyntax.Remove(attribute, input.Text);
        if (remove is null) return null;
        return new PlannedFix($"Move Softmax to the end, after {LayerSyntax.Display(last)}",
            remove.Value, LayerSyntax.InsertAfter(last, attribute.ToString()));
    }
}

/// <summary>CNN021: removes the Flatten that has nothing to flatten.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveFlattenFix))]
public sealed class RemoveFlattenFix : CnnCodeFix
{
    public RemoveFlattenFix() : base(DiagnosticDescriptors.FlattenOnFlatInput.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute is null || LayerSyntax.Kind(LayerSyntax.AttributeClass(input.Model, attribute, input.CancellationToken)) != "Flatten") return null;
        var remove = LayerSyntax.Remove(attribute, input.Text);
        return remove is null ? null : new PlannedFix("Remove this Flatten (the input is already flat)", remove.Value);
    }
}

/// <summary>
/// CNN004 (kernel does not fit) and CNN006 (stride leaves rows unused): sets the Conv2D's <c>Padding</c> to the value the
/// generator computed (property <see cref="DiagnosticDescriptors.PaddingProperty"/>): for CNN004 the smallest that
/// makes the kernel fit (preferring, within one stride, one that also leaves no row unused); for CNN006 the next
/// larger one that covers every row and column. Without that property (no such padding, e.g. an odd remainder
/// with stride 2) there is no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PaddingFix))]
public sealed class PaddingFix : CnnCodeFix
{
    public PaddingFix() : base(DiagnosticDescriptors.KernelLargerThanInput.Id, DiagnosticDescriptors.StrideLeavesInputUnused.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute is null || LayerSyntax.Kind(LayerSyntax.AttributeClass(input.Model, attribute, input.CancellationToken)) != "Conv2D") return null;
        if (LayerSyntax.IntProperty(input.Diagnostic, DiagnosticDescriptors.PaddingProperty) is not int padding) return null;
        string title = input.Diagnostic.Id == DiagnosticDescriptors.KernelLargerThanInput.Id
            ? $"Set Padding = {padding} so that the kernel fits"
            : $"Set Padding = {padding} so that the windows cover every row and column";
        return new PlannedFix(title, LayerSyntax.SetNamedArgument(attribute, "Padding", padding.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}

/// <summary>
/// CNN005: sets the pooling window (the <c>size</c> argument) to the largest that fits the input, from property
/// <see cref="DiagnosticDescriptors.SizeProperty"/>. Pooling has no padding, so that is the one fix; with the
/// one-argument form the stride, which equals the size, shrinks with it.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PoolSizeFix))]
public sealed class PoolSizeFix : CnnCodeFix
{
    public PoolSizeFix() : base(DiagnosticDescriptors.PoolLargerThanInput.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute is null || LayerSyntax.Kind(LayerSyntax.AttributeClass(input.Model, attribute, input.CancellationToken)) is not ("MaxPool" or "AvgPool")) return null;
        if (LayerSyntax.IntProperty(input.Diagnostic, DiagnosticDescriptors.SizeProperty) is not (int size and > 0)) return null;
        if (LayerSyntax.ConstructorArgument(attribute, "size", 0) is not AttributeArgumentSyntax argument) return null;
        string value = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new PlannedFix($"Set the pooling window to {value}x{value}, the largest that fits",
            new Microsoft.CodeAnalysis.Text.TextChange(argument.Expression.Span, value));
    }
}

/// <summary>CNN018: names the layer with the unused name the generator suggested (property <see cref="DiagnosticDescriptors.NameProperty"/>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UniqueNameFix))]
public sealed class UniqueNameFix : CnnCodeFix
{
    public UniqueNameFix() : base(DiagnosticDescriptors.DuplicateLayerName.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute is null || !LayerSyntax.IsLayer(LayerSyntax.AttributeClass(input.Model, attribute, input.CancellationToken))) return null;
        if (!input.Diagnostic.Properties.TryGetValue(DiagnosticDescriptors.NameProperty, out var name) || !IsIdentifier(name)) return null;
        return new PlannedFix($"Rename this layer to '{name}'", LayerSyntax.SetNamedArgument(attribute, "Name", "\"" + name + "\""));
    }

    private static bool IsIdentifier(string? name) =>
        name is { Length: > 0 } && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_'));
}
