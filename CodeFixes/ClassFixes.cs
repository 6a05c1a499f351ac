using System.Linq;
using CnnGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.CodeFixes;

/// <summary>CNN001: adds <c>partial</c> to the network class, just before <c>class</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialFix))]
public sealed class AddPartialFix : CnnCodeFix
{
    public AddPartialFix() : base(DiagnosticDescriptors.ClassNotPartial.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute?.Parent?.Parent is not ClassDeclarationSyntax type || type.Modifiers.Any(SyntaxKind.PartialKeyword)) return null;
        return new PlannedFix($"Make '{type.Identifier.ValueText}' partial",
            new TextChange(new TextSpan(type.Keyword.SpanStart, 0), "partial "));
    }
}

/// <summary>
/// CNN022: turns the record into a partial class, keeping its modifiers, base list and members. No fix for a positional
/// record (its generated properties would disappear), a record deriving from a record, a readonly or ref record
/// struct, or a record declared in several parts.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RecordToClassFix))]
public sealed class RecordToClassFix : CnnCodeFix
{
    public RecordToClassFix() : base(DiagnosticDescriptors.RecordUnsupported.Id) { }

    private protected override PlannedFix? Plan(FixInput input)
    {
        var attribute = LayerSyntax.FindAttribute(input.Root, input.Diagnostic);
        if (attribute?.Parent?.Parent is not RecordDeclarationSyntax record || record.ParameterList is not null) return null;
        // Other partial declarations of the record would be left behind as records; a class cannot derive from a record.
        if (input.Model.GetDeclaredSymbol(record, input.CancellationToken) is not { DeclaringSyntaxReferences.Length: 1 } symbol
            || symbol.BaseType is { IsRecord: true }) return null;
        // "readonly" and "ref" are struct modifiers: a class cannot have them.
        if (record.Modifiers.Any(SyntaxKind.ReadOnlyKeyword) || record.Modifiers.Any(SyntaxKind.RefKeyword)) return null;

        bool isPartial = record.Modifiers.Any(SyntaxKind.PartialKeyword);
        int end = record.ClassOrStructKeyword.IsKind(SyntaxKind.None) ? record.Keyword.Span.End : record.ClassOrStructKeyword.Span.End;
        var keyword = new TextChange(TextSpan.FromBounds(record.Keyword.SpanStart, end), isPartial ? "class" : "partial class");
        string title = $"Make '{record.Identifier.ValueText}' a partial class";
        if (record.OpenBraceToken.IsKind(SyntaxKind.None) && record.SemicolonToken.IsKind(SyntaxKind.SemicolonToken))
            // "record Net;" becomes "class Net { }": a class without a body needs C# 12.
        {
            int at = record.SemicolonToken.SpanStart;
            string body = at > 0 && !char.IsWhiteSpace(input.Text[at - 1]) ? " { }" : "{ }";
            return new PlannedFix(title, keyword, new TextChange(record.SemicolonToken.Span, body));
        }
        return new PlannedFix(title, keyword);
    }
}
