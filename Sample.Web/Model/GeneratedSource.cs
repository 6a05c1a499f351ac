using System;
using System.Collections.Generic;
using System.Text;

namespace CnnGen.Sample.Web.Model;

/// <summary>
/// The generated C# of a network (the file CnnGen wrote for it at build time), split into its layers' methods by name:
/// <c>Conv1_Forward</c>, <c>Conv1_Predict</c> and so on, each with the comment lines the generator put above it.
/// </summary>
public sealed class GeneratedSource
{
    private readonly string[] _lines;

    /// <summary>Wraps the text of one generated file.</summary>
    public GeneratedSource(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _lines = text.Replace("\r\n", "\n").Split('\n');
    }

    /// <summary>Lines in the file.</summary>
    public int LineCount => _lines.Length;

    /// <summary>
    /// The method <paramref name="name"/> (e.g. <c>Conv1_Forward</c>): the comment block that introduces it, its attributes,
    /// signature and body, dedented; null when the file has no such method.
    /// </summary>
    public string? Method(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int signature = -1;
        for (int i = 0; i < _lines.Length && signature < 0; i++)
        {
            string line = _lines[i];
            if (line.TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
            if (line.Contains(" void " + name + "<", StringComparison.Ordinal) || line.Contains(" void " + name + "(", StringComparison.Ordinal))
                signature = i;
        }
        if (signature < 0) return null;
        // the comment lines and attributes directly above it
        int first = signature;
        while (first > 0 && _lines[first - 1].TrimStart() is { Length: > 0 } above && (above.StartsWith("//", StringComparison.Ordinal) || above.StartsWith("[", StringComparison.Ordinal)))
            first--;
        // the body: from the signature to the brace that closes it
        int depth = 0, last = -1;
        bool opened = false;
        for (int i = signature; i < _lines.Length && last < 0; i++)
        {
            foreach (char c in StripComment(_lines[i]))
            {
                if (c == '{') { depth++; opened = true; }
                else if (c == '}') depth--;
            }
            if (opened && depth == 0) last = i;
        }
        if (last < 0) return null; // unbalanced: not a file we understand
        return Dedent(first, last);
    }

    /// <summary>
    /// The comment lines that open layer <paramref name="layer"/>'s section (under its <c>// ----</c> banner), up to its
    /// first method: what the generator says about a layer that has no methods of its own (a fused ReLU, a Flatten).
    /// </summary>
    public string? SectionComment(string layer)
    {
        ArgumentException.ThrowIfNullOrEmpty(layer);
        for (int i = 1; i < _lines.Length; i++)
        {
            if (!_lines[i].TrimStart().StartsWith("// " + layer + ":", StringComparison.Ordinal)) continue;
            if (!_lines[i - 1].TrimStart().StartsWith("// ----", StringComparison.Ordinal)) continue;
            int last = i;
            while (last + 1 < _lines.Length && (_lines[last + 1].TrimStart().StartsWith("//", StringComparison.Ordinal) || _lines[last + 1].Trim().Length == 0)
                   && !_lines[last + 1].TrimStart().StartsWith("// ----", StringComparison.Ordinal))
                last++;
            while (last > i && _lines[last].Trim().Length == 0) last--;
            return Dedent(i, last);
        }
        return null;
    }

    private static string StripComment(string line)
    {
        int comment = line.IndexOf("//", StringComparison.Ordinal);
        return comment < 0 ? line : line[..comment];
    }

    private string Dedent(int first, int last)
    {
        int indent = int.MaxValue;
        for (int i = first; i <= last; i++)
            if (_lines[i].Trim().Length > 0) indent = Math.Min(indent, _lines[i].Length - _lines[i].TrimStart().Length);
        var text = new StringBuilder();
        for (int i = first; i <= last; i++)
            text.Append(_lines[i].Length >= indent ? _lines[i][indent..] : _lines[i].TrimStart()).Append('\n');
        return text.ToString();
    }
}
