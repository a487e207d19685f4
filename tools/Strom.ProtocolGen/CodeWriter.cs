using System.Text;

namespace Strom.ProtocolGen;

/// <summary>Indented C# text, LF line endings.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(line);
        }
        _text.Append('\n');
    }

    public void Open(string header)
    {
        if (header.Length > 0)
        {
            Line(header);
        }
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
