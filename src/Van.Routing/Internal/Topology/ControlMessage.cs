using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Internal.Topology;

/// <summary>
/// A message of the link-state protocol, carried on the control link between neighbouring nodes. On the wire it
/// is an ordinary AMQP message: the subject names the kind and the body is one amqp-value holding a list of
/// primitives, so any AMQP tool can read it. Peers may be hostile: decoding throws only
/// <see cref="AmqpDecodeException"/> (not AMQP) or <see cref="FormatException"/> (AMQP, but not a control message).
/// </summary>
internal abstract class ControlMessage
{
    internal const string HelloSubject = "hello";
    internal const string LinkStateSubject = "lsr";
    internal const string LinkStateRequestSubject = "lsr-req";
    internal const string AddressSubject = "addr";
    internal const string AddressRequestSubject = "addr-req";

    private protected ControlMessage()
    {
    }

    /// <summary>The AMQP subject naming this kind of message.</summary>
    public abstract string Kind { get; }

    /// <summary>Appends the complete encoded AMQP message.</summary>
    public void Encode(AmqpBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ToAmqpMessage().Encode(output);
    }

    /// <summary>The encoded AMQP message in a new array (tests and diagnostics).</summary>
    public byte[] ToArray() => ToAmqpMessage().ToArray();

    /// <summary>Decodes one encoded control message.</summary>
    /// <exception cref="AmqpDecodeException">The bytes are not an AMQP message.</exception>
    /// <exception cref="FormatException">The message is not a well-formed control message.</exception>
    public static ControlMessage Decode(ReadOnlySpan<byte> message)
    {
        var amqp = AmqpMessage.Decode(message);
        var kind = amqp.Properties?.Subject ?? throw new FormatException("A control message has no subject.");
        if (!amqp.HasValue || amqp.Value is not List<object?> fields)
        {
            throw new FormatException($"A '{kind}' control message's body is not an amqp-value list.");
        }

        // Fields beyond those read are ignored, so a later version may append some.
        return kind switch
        {
            HelloSubject => HelloMessage.FromFields(fields),
            LinkStateSubject => LinkStateMessage.FromFields(fields),
            LinkStateRequestSubject => LinkStateRequest.FromFields(fields),
            AddressSubject => AddressMessage.FromFields(fields),
            AddressRequestSubject => AddressRequest.FromFields(fields),
            _ => throw new FormatException($"Unknown control message kind '{kind}'."),
        };
    }

    private protected abstract List<object?> ToFields();

    private AmqpMessage ToAmqpMessage() => new()
    {
        Properties = new Properties { Subject = Kind },
        Value = ToFields(),
    };

    private protected static object? Field(List<object?> fields, int index, string name) =>
        index < fields.Count ? fields[index] : throw new FormatException($"The control message lacks its '{name}' field.");

    private protected static string ReadString(List<object?> fields, int index, string name, bool allowEmpty) =>
        Field(fields, index, name) switch
        {
            string s when allowEmpty || s.Length > 0 => s,
            string => throw new FormatException($"The control message's '{name}' is empty."),
            var other => throw WrongType(name, other, "a string"),
        };

    private protected static long ReadLong(List<object?> fields, int index, string name) =>
        Field(fields, index, name) switch
        {
            long l => l,
            int i => i,
            var other => throw WrongType(name, other, "a long"),
        };

    private protected static bool ReadBool(List<object?> fields, int index, string name) =>
        Field(fields, index, name) switch
        {
            bool b => b,
            var other => throw WrongType(name, other, "a boolean"),
        };

    /// <summary>Reads a string-to-int map whose values are at least <paramref name="minValue"/>.</summary>
    private protected static Dictionary<string, int> ReadIntMap(List<object?> fields, int index, string name, int minValue)
    {
        if (Field(fields, index, name) is not Dictionary<object, object?> map)
        {
            throw WrongType(name, fields[index], "a map");
        }

        var result = new Dictionary<string, int>(map.Count, StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (key is not string k || k.Length == 0)
            {
                throw new FormatException($"A key of the control message's '{name}' is not a non-empty string.");
            }

            var v = value switch
            {
                int i => i,
                long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
                _ => throw new FormatException($"The value for '{k}' in the control message's '{name}' is not an int."),
            };
            if (v < minValue)
            {
                throw new FormatException($"The value for '{k}' in the control message's '{name}' is below {minValue}.");
            }

            result[k] = v;
        }

        return result;
    }

    private protected static List<string> ReadStringList(List<object?> fields, int index, string name)
    {
        if (Field(fields, index, name) is not List<object?> list)
        {
            throw WrongType(name, fields[index], "a list");
        }

        var result = new List<string>(list.Count);
        foreach (var item in list)
        {
            result.Add(item is string { Length: > 0 } s
                ? s
                : throw new FormatException($"An item of the control message's '{name}' is not a non-empty string."));
        }

        return result;
    }

    private protected static Dictionary<string, int> ToMap(IReadOnlyDictionary<string, int> source)
    {
        var map = new Dictionary<string, int>(source.Count, StringComparer.Ordinal);
        foreach (var (key, value) in source)
        {
            map[key] = value;
        }

        return map;
    }

    private static FormatException WrongType(string name, object? value, string expected) =>
        new($"The control message's '{name}' is {(value is null ? "null" : value.GetType().Name)}, not {expected}.");
}
