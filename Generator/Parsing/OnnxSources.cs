using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CnnGen.Generator.Parsing;

/// <summary>
/// One ONNX additional file as the generator sees it. The compiler reads additional files as text and refuses binary ones
/// (CS2015), so the CnnGen build targets (<c>CnnGen.targets</c>) write each <c>.onnx</c> additional file's bytes as base64
/// text and add that as an additional file too, with the model's path as its <c>CnnGenOnnxSource</c> metadata. A text form
/// has <see cref="ModelPath"/> and <see cref="Text"/>; the model file itself has neither (its text is never read).
/// </summary>
internal sealed record OnnxSourceFile(string Path, string? ModelPath, string? Text);

/// <summary>Finds and decodes the model an <c>[OnnxNetwork]</c> names among the additional files.</summary>
internal static class OnnxSources
{
    /// <summary>The first line of a text form (the build targets write it; <see cref="Decode"/> skips lines starting with '#').</summary>
    public const string Header = "# CnnGen: the bytes of an ONNX model in base64, for the source generator";

    /// <summary>Whether an additional file may be an ONNX model or the text form of one (decided by name: this runs for every additional file).</summary>
    public static bool IsCandidate(string path) =>
        path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".onnx.txt", StringComparison.OrdinalIgnoreCase);

    public static OnnxSourceFile Read(AdditionalText file, AnalyzerConfigOptions options, CancellationToken cancellationToken)
    {
        if (!options.TryGetValue(KnownNames.OnnxSourceMetadata, out string? model) || string.IsNullOrEmpty(model))
            return new OnnxSourceFile(file.Path, null, null);
        return new OnnxSourceFile(file.Path, model, file.GetText(cancellationToken)?.ToString() ?? "");
    }

    /// <summary>The text form of the model <paramref name="path"/> names (the model's path, or its end), or null with the problem.</summary>
    public static OnnxSourceFile? Find(string path, ImmutableArray<OnnxSourceFile> files, out string problem)
    {
        problem = "";
        string want = Normalize(path);
        if (want.Length == 0)
        {
            problem = "[OnnxNetwork] names no file; give the path of an .onnx additional file, e.g. [OnnxNetwork(\"lenet5.onnx\")].";
            return null;
        }
        var texts = files.Where(f => f.ModelPath is not null && Matches(f.ModelPath, want)).GroupBy(f => Normalize(f.ModelPath!)).Select(g => g.First()).ToList();
        if (texts.Count == 1) return texts[0];
        if (texts.Count > 1)
        {
            problem = $"'{path}' matches {texts.Count} additional files ({string.Join(", ", texts.Select(t => "'" + t.ModelPath + "'"))}); give more of the path.";
            return null;
        }
        var models = files.Where(f => f.ModelPath is null && f.Path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)).ToList();
        if (models.Any(f => Matches(f.Path, want)))
        {
            problem = $"'{path}' is an additional file, but not in the text form the generator reads (the compiler refuses binary additional files, so " +
                      "CnnGen's build targets write a base64 copy of each .onnx one); the CnnGen package imports them, and a project that references the " +
                      "generator project directly must import CnnGen.targets (Runtime/build/CnnGen.targets).";
            return null;
        }
        problem = $"no additional file is '{path}' or ends with it; add <AdditionalFiles Include=\"{path}\" /> to the project file" +
                  (models.Count == 0 ? " (the project has no .onnx additional files)." : $" (its .onnx additional files: {string.Join(", ", models.Select(m => "'" + m.Path + "'"))}).");
        return null;
    }

    /// <summary>The model's bytes from its text form, or null with the problem.</summary>
    public static byte[]? Decode(OnnxSourceFile file, out string problem)
    {
        problem = "";
        var base64 = new StringBuilder(file.Text!.Length);
        foreach (string line in file.Text.Split('\n'))
        {
            string t = line.Trim();
            if (t.Length > 0 && t[0] != '#') base64.Append(t);
        }
        try
        {
            return Convert.FromBase64String(base64.ToString());
        }
        catch (FormatException)
        {
            problem = $"the text form '{file.Path}' of '{file.ModelPath}' is not base64 (it was edited or cut short); delete it and build again, and the CnnGen build targets write it anew.";
            return null;
        }
    }

    private static string Normalize(string path)
    {
        string p = path.Trim().Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p.Substring(2);
        return p;
    }

    private static bool Matches(string modelPath, string want)
    {
        string full = Normalize(modelPath);
        return full == want || full.EndsWith("/" + want, StringComparison.Ordinal);
    }
}
