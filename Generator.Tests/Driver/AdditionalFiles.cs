using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// A project's additional files as the compiler passes them to the generator: texts, and per file the build metadata
/// MSBuild writes into the analyzer config (<c>build_metadata.AdditionalFiles.*</c>).
/// </summary>
internal sealed class AdditionalFiles
{
    private readonly List<AdditionalText> _texts = new();
    private readonly Dictionary<AdditionalText, Dictionary<string, string>> _metadata = new();

    public ImmutableArray<AdditionalText> Texts => _texts.ToImmutableArray();
    public AnalyzerConfigOptionsProvider Options => new OptionsProvider(_metadata);

    /// <summary>The directory the test projects' files are in (paths are as MSBuild gives them: full).</summary>
    public const string ProjectDirectory = "/src/App/";

    /// <summary>
    /// An .onnx file as the CnnGen build targets pass it: the model's own entry (whose text the generator must never read:
    /// reading it throws here) and its base64 text form with the model's path as <c>CnnGenOnnxSource</c>.
    /// </summary>
    public AdditionalFiles Model(string relativePath, byte[] bytes) =>
        Binary(relativePath).TextForm(relativePath, Header + Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n") + "\n");

    /// <summary>Only the model's own entry: what a project that does not import CnnGen.targets passes.</summary>
    public AdditionalFiles Binary(string relativePath)
    {
        _texts.Add(new FileText(ProjectDirectory + relativePath, null));
        return this;
    }

    /// <summary>A text form with the given content, for the model at <paramref name="relativePath"/>.</summary>
    public AdditionalFiles TextForm(string relativePath, string content)
    {
        var text = new FileText(ProjectDirectory + "obj/cnngen/" + Path.GetFileName(relativePath) + "." + _texts.Count + ".onnx.txt", content);
        _texts.Add(text);
        _metadata[text] = new Dictionary<string, string> { ["build_metadata.AdditionalFiles.CnnGenOnnxSource"] = ProjectDirectory + relativePath };
        return this;
    }

    public const string Header = "# CnnGen: the bytes of an ONNX model in base64, for the source generator\n# model: test\n";

    /// <summary>A PyTorch export from Onnx.Tests/Fixtures/pytorch.</summary>
    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    private sealed class FileText(string path, string? content) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) =>
            content is null ? throw new InvalidOperationException($"the generator read the binary additional file {Path} (the compiler refuses those: CS2015)")
                            : SourceText.From(content);
    }

    private sealed class OptionsProvider(Dictionary<AdditionalText, Dictionary<string, string>> metadata) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new ConfigOptions(new Dictionary<string, string>());
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
            metadata.TryGetValue(textFile, out var values) ? new ConfigOptions(values) : GlobalOptions;
    }

    private sealed class ConfigOptions(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}
