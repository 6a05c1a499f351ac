using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.CodeFixes;

/// <summary>
/// What every fix needs: the attribute a diagnostic sits on, the layer attributes of its class in source order,
/// and edits as text changes, so that nothing but the edited tokens moves (the user's layout stays as it was).
/// Every method returns null or false instead of throwing when the syntax is not what it expects.
/// </summary>
internal static class LayerSyntax
{
    private const string LayerBase = "CnnGen.LayerAttribute";
    private const string Network = "CnnGen.NetworkAttribute";

    /// <summary>The attribute whose span is the diagnostic's (CnnGen reports on the whole attribute), or null.</summary>
    public static AttributeSyntax? FindAttribute(SyntaxNode root, Diagnostic diagnostic)
    {
        if (!diagnostic.Location.IsInSource || diagnostic.Location.SourceTree != root.SyntaxTree) return null;
        var span = diagnostic.Location.SourceSpan;
        if (span.End > root.FullSpan.End) return null;
        var attribute = root.FindNode(span, getInnermostNodeForTie: false).FirstAncestorOrSelf<AttributeSyntax>();
        return attribute is not null && attribute.Span == span ? attribute : null;
    }

    /// <summary>The attribute's class, e.g. <c>CnnGen.Conv2DAttribute</c>, or null when it does not bind.</summary>
    public static INamedTypeSymbol? AttributeClass(SemanticModel model, AttributeSyntax attribute, CancellationToken cancellationToken) =>
        (model.GetSymbolInfo(attribute, cancellationToken).Symbol as IMethodSymbol)?.ContainingType;

    public static bool IsLayer(INamedTypeSymbol? type)
    {
        for (var t = type?.BaseType; t is not null; t = t.BaseType)
            if (t.ToDisplayString() == LayerBase) return true;
        return false;
    }

    public static bool IsNetwork(INamedTypeSymbol? type) => type?.ToDisplayString() == Network;

    /// <summary>The layer kind of an attribute class: <c>Conv2DAttribute</c> gives <c>Conv2D</c>.</summary>
    public static string? Kind(INamedTypeSymbol? type) =>
        IsLayer(type) && type!.Name.EndsWith("Attribute", StringComparison.Ordinal) ? type.Name.Substring(0, type.Name.Length - "Attribute".Length) : null;

    /// <summary>The layer attributes on the declaration that holds <paramref name="anyAttribute"/>, in source order, with their kinds.</summary>
    public static ImmutableArray<(AttributeSyntax Syntax, string Kind)> Layers(SemanticModel model, AttributeSyntax anyAttribute, CancellationToken cancellationToken)
    {
        if (anyAttribute.Parent?.Parent is not TypeDeclarationSyntax type) return ImmutableArray<(AttributeSyntax, string)>.Empty;
        var layers = ImmutableArray.CreateBuilder<(AttributeSyntax, string)>();
        foreach (var list in type.AttributeLists)
            foreach (var attribute in list.Attributes)
                if (Kind(AttributeClass(model, attribute, cancellationToken)) is { } kind)
                    layers.Add((attribute, kind));
        return layers.ToImmutable();
    }

    /// <summary>
    /// The name to write for another layer kind so that it binds as <paramref name="like"/> does: <c>CnnGen.Dense</c>
    /// gives <c>CnnGen.Flatten</c>, <c>DenseAttribute</c> gives <c>FlattenAttribute</c>, <c>Dense</c> gives <c>Flatten</c>.
    /// </summary>
    public static string SiblingName(AttributeSyntax like, string kind)
    {
        var name = like.Name;
        string prefix = "";
        SimpleNameSyntax last;
        switch (name)
        {
            case QualifiedNameSyntax q:
                prefix = q.Left.ToString() + ".";
                last = q.Right;
                break;
            case AliasQualifiedNameSyntax a:
                prefix = a.Alias.ToString() + "::";
                last = a.Name;
                break;
            case SimpleNameSyntax s:
                last = s;
                break;
            default:
                return kind;
        }
        bool suffix = last.Identifier.ValueText.EndsWith("Attribute", StringComparison.Ordinal);
        return prefix + kind + (suffix ? "Attribute" : "");
    }

    /// <summary>Inserts <paramref name="text"/> as a new attribute just before <paramref name="attribute"/>, in its list.</summary>
    public static TextChange InsertBefore(AttributeSyntax attribute, string text) =>
        new(new TextSpan(attribute.SpanStart, 0), text + ", ");

    /// <summary>Appends <paramref name="text"/> as a new attribute just after <paramref name="attribute"/>, in its list.</summary>
    public static TextChange InsertAfter(AttributeSyntax attribute, string text) =>
        new(new TextSpan(attribute.Span.End, 0), ", " + text);

    /// <summary>
    /// Removes <paramref name="attribute"/> with one separator: <c>[A, B, C]</c> loses <c>B, </c>; the last of a list
    /// loses the comma before it; an attribute alone in its list removes the list, and the line when the list had it
    /// to itself.
    /// </summary>
    public static TextChange? Remove(AttributeSyntax attribute, SourceText text)
    {
        if (attribute.Parent is not AttributeListSyntax list) return null;
        var attributes = list.Attributes;
        int index = attributes.IndexOf(attribute);
        if (index < 0) return null;
        if (attributes.Count > 1)
            return index < attributes.Count - 1
                ? new TextChange(TextSpan.FromBounds(attribute.SpanStart, attributes[index + 1].SpanStart), "")
                : new TextChange(TextSpan.FromBounds(attributes[index - 1].Span.End, attribute.Span.End), "");

        var line = text.Lines.GetLineFromPosition(list.SpanStart);
        var endLine = text.Lines.GetLineFromPosition(list.Span.End);
        bool aloneBefore = IsBlank(text, line.Start, list.SpanStart);
        bool aloneAfter = IsBlank(text, list.Span.End, endLine.End);
        if (aloneBefore && aloneAfter)
            return new TextChange(TextSpan.FromBounds(line.Start, endLine.EndIncludingLineBreak), "");
        // Shares its line: take the blanks after it (or, at the end of the line, before it) along.
        int end = list.Span.End;
        while (end < endLine.End && IsBlank(text[end])) end++;
        if (end < endLine.End) return new TextChange(TextSpan.FromBounds(list.SpanStart, end), "");
        int start = list.SpanStart;
        while (start > line.Start && IsBlank(text[start - 1])) start--;
        return new TextChange(TextSpan.FromBounds(start, list.Span.End), "");
    }

    /// <summary>
    /// Sets the named argument <paramref name="name"/> (<c>Name = value</c>) to <paramref name="value"/>: replaces its
    /// value where it is given, appends it to the argument list otherwise.
    /// </summary>
    public static TextChange SetNamedArgument(AttributeSyntax attribute, string name, string value)
    {
        var list = attribute.ArgumentList;
        if (list is null)
            return new TextChange(new TextSpan(attribute.Name.Span.End, 0), "(" + name + " = " + value + ")");
        foreach (var argument in list.Arguments)
            if (argument.NameEquals?.Name.Identifier.ValueText == name)
                return new TextChange(argument.Expression.Span, value);
        if (list.Arguments.Count == 0)
            return new TextChange(new TextSpan(list.OpenParenToken.Span.End, 0), name + " = " + value);
        return new TextChange(new TextSpan(list.Arguments.Last().Span.End, 0), ", " + name + " = " + value);
    }

    /// <summary>
    /// The constructor argument for parameter <paramref name="parameter"/> at <paramref name="position"/>: written
    /// <c>parameter: x</c>, or the positional argument there. Null when it is not written.
    /// </summary>
    public static AttributeArgumentSyntax? ConstructorArgument(AttributeSyntax attribute, string parameter, int position)
    {
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        foreach (var argument in arguments)
            if (argument.NameColon?.Name.Identifier.ValueText == parameter)
                return argument;
        int i = 0;
        foreach (var argument in arguments)
        {
            if (argument.NameColon is not null || argument.NameEquals is not null) break;
            if (i++ == position) return argument;
        }
        return null;
    }

    /// <summary>A non-negative int property of the diagnostic, as the generator wrote it.</summary>
    public static int? IntProperty(Diagnostic diagnostic, string key) =>
        diagnostic.Properties.TryGetValue(key, out var value)
        && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result) ? result : null;

    /// <summary>The attribute as one line, for a title: <c>Conv2D(8, 5, Padding = 1)</c>.</summary>
    public static string Display(AttributeSyntax attribute)
    {
        string text = string.Join(" ", attribute.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }

    public static async Task<Document> ApplyAsync(Document document, IEnumerable<TextChange> changes, CancellationToken cancellationToken)
    {
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        return document.WithText(text.WithChanges(changes));
    }

    private static bool IsBlank(SourceText text, int start, int end)
    {
        for (int i = start; i < end; i++)
            if (!IsBlank(text[i])) return false;
        return true;
    }

    private static bool IsBlank(char c) => c is ' ' or '\t';
}
