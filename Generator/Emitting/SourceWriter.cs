using System.Text;

namespace CnnGen.Generator.Emitting;

/// <summary>An indenting text writer: 4 spaces, LF line ends, no trailing spaces.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public SourceWriter Line(string line = "")
    {
        if (line.Length == 0)
        {
            _text.Append('\n');
            return this;
        }
        _text.Append(' ', _indent * 4).Append(line.TrimEnd()).Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="line"/> (if any) and an opening brace, then indents.</summary>
    public SourceWriter Open(string? line = null)
    {
        if (line is not null) Line(line);
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Outdents and writes a closing brace with an optional suffix.</summary>
    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
