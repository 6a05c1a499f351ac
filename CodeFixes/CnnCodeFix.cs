using System;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.CodeFixes;

/// <summary>What a fix will do: its title and the text changes, computed before it is offered.</summary>
internal sealed class PlannedFix
{
    public PlannedFix(string title, params TextChange[] changes)
    {
        Title = title;
        Changes = changes.ToImmutableArray();
    }

    public string Title { get; }
    public ImmutableArray<TextChange> Changes { get; }
}

/// <summary>What a fix may look at.</summary>
internal sealed class FixInput
{
    public FixInput(SyntaxNode root, SemanticModel model, SourceText text, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        Root = root;
        Model = model;
        Text = text;
        Diagnostic = diagnostic;
        CancellationToken = cancellationToken;
    }

    public SyntaxNode Root { get; }
    public SemanticModel Model { get; }
    public SourceText Text { get; }
    public Diagnostic Diagnostic { get; }
    public CancellationToken CancellationToken { get; }
}

/// <summary>
/// The shape of every CnnGen fix: plan the text changes for one diagnostic (or decide there is none), then offer them
/// under a title that says what they do. The diagnostics come from the generator; since Roslyn 4.7 (and so in every
/// host that loads our 4.8 generator) the IDE offers code fixes for source-generator diagnostics.
/// A plan that cannot be made, including one that would throw on syntax it does not expect, offers nothing.
/// "Fix all" is the batch fixer: each diagnostic's own plan, merged per document.
/// </summary>
public abstract class CnnCodeFix : CodeFixProvider
{
    private readonly ImmutableArray<string> _ids;

    private protected CnnCodeFix(params string[] ids) => _ids = ids.ToImmutableArray();

    public sealed override ImmutableArray<string> FixableDiagnosticIds => _ids;

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        var cancellationToken = context.CancellationToken;
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            PlannedFix? fix;
            try
            {
                fix = Plan(new FixInput(root, model, text, diagnostic, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Unexpected syntax (the user is typing): no fix rather than an exception in the editor.
                fix = null;
            }
            if (fix is null || fix.Changes.IsEmpty) continue;
            var changes = fix.Changes;
            context.RegisterCodeFix(
                CodeAction.Create(fix.Title, ct => LayerSyntax.ApplyAsync(document, changes, ct), EquivalenceKey(diagnostic)),
                diagnostic);
        }
    }

    /// <summary>One key per kind of fix, so that "fix all" applies this fix, with each diagnostic's own numbers.</summary>
    private string EquivalenceKey(Diagnostic diagnostic) => GetType().Name + "." + diagnostic.Id;

    private protected abstract PlannedFix? Plan(FixInput input);
}
