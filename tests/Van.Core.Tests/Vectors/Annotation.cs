using System.Globalization;

namespace Van.Core.Tests.Vectors;

/// <summary>A value in a typed <c>#=</c> annotation.</summary>
internal abstract record AnnotatedValue;

/// <summary>
/// A scalar with the encoding the wire used: <c>uint0</c>, <c>smalluint:1</c>, <c>str8:"x"</c>, <c>sym8:X</c>,
/// <c>vbin8:0x31</c>, <c>null</c>, <c>true</c>. <see cref="Text"/> is the value after the colon (strings without quotes),
/// or null when the encoding alone gives the value.
/// </summary>
internal sealed record AnnotatedScalar(string Encoding, string? Text) : AnnotatedValue
{
    public bool IsNull => Encoding == "null";
}

/// <summary>A described list: <c>name[0xCODE,listN](field=value, …)</c>; only the fields on the wire are listed.</summary>
internal sealed record AnnotatedDescribed(string Name, ulong Code, string ListEncoding, IReadOnlyList<KeyValuePair<string, AnnotatedValue>> Fields)
    : AnnotatedValue;

/// <summary>An array: <c>array8&lt;0xa3&gt;[sym8:A, sym8:B]</c>.</summary>
internal sealed record AnnotatedArray(string Encoding, byte ElementCode, IReadOnlyList<AnnotatedValue> Items) : AnnotatedValue;

/// <summary>A map: <c>map32{sym8:k: str8:"v", …}</c>.</summary>
internal sealed record AnnotatedMap(string Encoding, IReadOnlyList<KeyValuePair<AnnotatedValue, AnnotatedValue>> Entries) : AnnotatedValue;

/// <summary>What a frame record's annotation says: header fields, the performative, and the payload size.</summary>
internal sealed record FrameAnnotation(int Size, int DataOffset, string Type, ushort Channel, AnnotatedDescribed? Body, int? PayloadBytes, string? PayloadNote)
{
    /// <summary>
    /// Parses <c>size=N doff=D type=T channel=C body [|| payload N bytes: …]</c>, or the <c>EMPTY FRAME</c> form.
    /// </summary>
    public static FrameAnnotation Parse(string text)
    {
        var parser = new AnnotationParser(text);
        var size = int.Parse(parser.Keyword("size="), CultureInfo.InvariantCulture);
        var doff = int.Parse(parser.Keyword("doff="), CultureInfo.InvariantCulture);
        var type = parser.Keyword("type=");
        var channel = ushort.Parse(parser.Keyword("channel="), CultureInfo.InvariantCulture);
        if (parser.Rest.StartsWith("EMPTY FRAME", StringComparison.Ordinal))
        {
            return new FrameAnnotation(size, doff, type, channel, null, null, null);
        }

        var body = (AnnotatedDescribed)parser.Value();
        int? payload = null;
        string? note = null;
        var rest = parser.Rest.Trim();
        if (rest.StartsWith("|| payload ", StringComparison.Ordinal))
        {
            var words = rest["|| payload ".Length..].Split(' ', 3);
            payload = int.Parse(words[0], CultureInfo.InvariantCulture);
            note = words.Length > 2 ? words[2] : null;
        }
        else if (rest.Length > 0)
        {
            throw new FormatException($"Unexpected text after the performative: {rest}");
        }

        return new FrameAnnotation(size, doff, type, channel, body, payload, note);
    }
}

/// <summary>A recursive-descent parser for the annotation value syntax.</summary>
internal sealed class AnnotationParser
{
    private readonly string _text;
    private int _pos;

    public AnnotationParser(string text) => _text = text;

    public string Rest => _text[_pos..];

    /// <summary>Reads <paramref name="prefix"/> and the space-delimited word after it.</summary>
    public string Keyword(string prefix)
    {
        SkipSpaces();
        Expect(prefix);
        var start = _pos;
        while (_pos < _text.Length && _text[_pos] != ' ')
        {
            _pos++;
        }

        var word = _text[start.._pos];
        SkipSpaces();
        return word;
    }

    public AnnotatedValue Value()
    {
        SkipSpaces();
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '-' or '.' or '_'))
        {
            _pos++;
        }

        var word = _text[start.._pos];
        if (word.Length == 0)
        {
            throw Error("a value");
        }

        if (Peek('['))
        {
            // name[0xCODE,listN](fields)
            _pos++;
            var close = _text.IndexOf(']', _pos);
            var parts = _text[_pos..close].Split(',');
            _pos = close + 1;
            Expect("(");
            var fields = new List<KeyValuePair<string, AnnotatedValue>>();
            while (!TryConsume(')'))
            {
                var name = ReadUntil('=');
                _pos++;
                fields.Add(new(name, Value()));
                _ = TryConsume(',');
            }

            return new AnnotatedDescribed(word, Convert.ToUInt64(parts[0], 16), parts[1], fields);
        }

        if (Peek('<'))
        {
            // arrayN<0xCC>[items]
            _pos++;
            var close = _text.IndexOf('>', _pos);
            var code = Convert.ToByte(_text[_pos..close], 16);
            _pos = close + 1;
            Expect("[");
            var items = new List<AnnotatedValue>();
            while (!TryConsume(']'))
            {
                items.Add(Value());
                _ = TryConsume(',');
            }

            return new AnnotatedArray(word, code, items);
        }

        if (Peek('{'))
        {
            _pos++;
            var entries = new List<KeyValuePair<AnnotatedValue, AnnotatedValue>>();
            while (!TryConsume('}'))
            {
                var key = Value(mapKey: true);
                entries.Add(new(key, Value()));
                _ = TryConsume(',');
            }

            return new AnnotatedMap(word, entries);
        }

        if (!Peek(':'))
        {
            return new AnnotatedScalar(word, null);
        }

        _pos++;
        return new AnnotatedScalar(word, Peek('"') ? QuotedString() : Token(mapKey: false));
    }

    private AnnotatedValue Value(bool mapKey)
    {
        if (!mapKey)
        {
            return Value();
        }

        // A map key is followed by ": "; a symbol key's own text may contain ':' (e.g. "x-opt:a"), so the
        // separator is the colon that precedes a space.
        SkipSpaces();
        var start = _pos;
        var separator = _text.IndexOf(": ", _pos, StringComparison.Ordinal);
        if (_text[start..separator].Contains('"', StringComparison.Ordinal))
        {
            var key = Value();
            Expect(":");
            return key;
        }

        var encoding = ReadUntil(':');
        _pos++;
        var text = _text[_pos..separator];
        _pos = separator + 1;
        return new AnnotatedScalar(encoding, text);
    }

    private string Token(bool mapKey)
    {
        var start = _pos;
        while (_pos < _text.Length && _text[_pos] is not (',' or ')' or ']' or '}' or ' '))
        {
            _pos++;
        }

        var token = _text[start.._pos];
        return mapKey ? token.TrimEnd(':') : token;
    }

    // Strings are shown verbatim between quotes, with no escaping: qdrouterd's own error text holds a literal
    // "\x0d\x0a" (it escapes the bytes it quotes), and the annotation shows exactly that.
    private string QuotedString()
    {
        Expect("\"");
        var end = _text.IndexOf('"', _pos);
        if (end < 0)
        {
            throw Error("a closing quote");
        }

        var text = _text[_pos..end];
        _pos = end + 1;
        return text;
    }

    private string ReadUntil(char c)
    {
        SkipSpaces();
        var end = _text.IndexOf(c, _pos);
        if (end < 0)
        {
            throw Error($"'{c}'");
        }

        var word = _text[_pos..end];
        _pos = end;
        return word;
    }

    private bool Peek(char c) => _pos < _text.Length && _text[_pos] == c;

    private bool TryConsume(char c)
    {
        SkipSpaces();
        if (Peek(c))
        {
            _pos++;
            SkipSpaces();
            return true;
        }

        return false;
    }

    private void Expect(string s)
    {
        SkipSpaces();
        if (string.CompareOrdinal(_text, _pos, s, 0, s.Length) != 0)
        {
            throw Error($"'{s}'");
        }

        _pos += s.Length;
    }

    private void SkipSpaces()
    {
        while (_pos < _text.Length && _text[_pos] == ' ')
        {
            _pos++;
        }
    }

    private FormatException Error(string expected) =>
        new($"Expected {expected} at {_pos} in: {_text}");
}
