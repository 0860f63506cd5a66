using System.Collections;
using System.Globalization;
using System.Text;
using Van.Core.Amqp.Encoding;

namespace Van.Core.Amqp.Framing;

/// <summary>
/// Builds the one-line summaries used in logs: <c>name(field=value, …)</c>, leaving out fields at their default.
/// </summary>
internal sealed class FieldFormatter
{
    private const int MaxBinaryBytes = 32;
    private readonly StringBuilder _text = new();
    private bool _any;

    public FieldFormatter(string name) => _text.Append(name).Append('(');

    /// <summary>Adds a field unless <paramref name="value"/> is null (absent or default).</summary>
    public FieldFormatter Add(string name, object? value)
    {
        if (value is null)
        {
            return this;
        }

        if (_any)
        {
            _text.Append(", ");
        }

        _any = true;
        _text.Append(name).Append('=');
        AppendValue(_text, value);
        return this;
    }

    /// <summary>Adds a boolean field only when it is true.</summary>
    public FieldFormatter Flag(string name, bool value) => value ? Add(name, true) : this;

    public override string ToString() => _text.ToString() + ")";

    private static void AppendValue(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case string s:
                text.Append('"').Append(s).Append('"');
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case byte[] bytes:
                text.Append("0x").Append(Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, MaxBinaryBytes))));
                if (bytes.Length > MaxBinaryBytes)
                {
                    text.Append("…(").Append(bytes.Length).Append(" bytes)");
                }

                break;
            case IDictionary map:
                text.Append('{');
                var first = true;
                foreach (DictionaryEntry e in map)
                {
                    if (!first)
                    {
                        text.Append(", ");
                    }

                    first = false;
                    AppendValue(text, e.Key);
                    text.Append(": ");
                    AppendValue(text, e.Value);
                }

                text.Append('}');
                break;
            case IList list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    AppendValue(text, list[i]);
                }

                text.Append(']');
                break;
            case AmqpSymbol symbol:
                text.Append(symbol.Value);
                break;
            case IFormattable formattable:
                text.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                text.Append(value);
                break;
        }
    }
}
