using Van.Core.Amqp.Encoding;

namespace Van.Core.Tests.Amqp.Encoding;

/// <summary>Writes with an <see cref="AmqpWriter"/> (a ref struct, so no Action&lt;T&gt;).</summary>
internal delegate void WriteAction(AmqpWriter writer);

/// <summary>Reads with an <see cref="AmqpReader"/> passed by reference.</summary>
internal delegate T ReadFunc<out T>(ref AmqpReader reader);

/// <summary>Helpers shared by the codec tests.</summary>
internal static class Codec
{
    /// <summary>Parses hex with optional spaces.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>Concatenates byte arrays.</summary>
    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Runs a write into a fresh buffer and returns the bytes.</summary>
    public static byte[] Write(WriteAction write)
    {
        using var buffer = new AmqpBuffer();
        write(new AmqpWriter(buffer));
        return buffer.ToArray();
    }

    /// <summary>Encodes a value with WriteObject.</summary>
    public static byte[] Encode(object? value) => Write(w => w.WriteObject(value));

    /// <summary>Reads one value with <paramref name="read"/>, asserting the whole input is consumed.</summary>
    public static T Read<T>(byte[] bytes, ReadFunc<T> read)
    {
        var reader = new AmqpReader(bytes);
        var value = read(ref reader);
        Assert.True(reader.IsEnd, $"{reader.Remaining} byte(s) left after reading {Convert.ToHexString(bytes)}");
        return value;
    }

    /// <summary>Decodes one value with ReadObject, asserting the whole input is consumed.</summary>
    public static object? Decode(byte[] bytes) => Read(bytes, static (ref AmqpReader r) => r.ReadObject());

    /// <summary>Asserts two AMQP values are structurally equal.</summary>
    public static void AssertAmqpEqual(object? expected, object? actual) =>
        Assert.True(AmqpValueComparer.Instance.Equals(expected, actual), $"expected {Show(expected)} but got {Show(actual)}");

    /// <summary>A readable rendering of a value for failure messages.</summary>
    public static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        byte[] b => "0x" + Convert.ToHexString(b),
        System.Collections.IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => Show(k) + ": " + Show(d[k]))) + "}",
        Array a => a.GetType().Name + "[" + string.Join(", ", a.Cast<object?>().Select(Show)) + "]",
        System.Collections.IList l => "[" + string.Join(", ", l.Cast<object?>().Select(Show)) + "]",
        AmqpDescribed d => Show(d.Descriptor) + ":" + Show(d.Value),
        AmqpSymbol s => ":" + s.Value,
        _ => value.GetType().Name + " " + value,
    };

    /// <summary>Builds a list of values.</summary>
    public static List<object?> List(params object?[] items) => [.. items];

    /// <summary>Builds a map the way the reader does (structural key comparison).</summary>
    public static Dictionary<object, object?> Map(params (object Key, object? Value)[] pairs)
    {
        var map = new Dictionary<object, object?>(AmqpValueComparer.Instance!);
        foreach (var (k, v) in pairs)
        {
            map.Add(k, v);
        }

        return map;
    }
}
