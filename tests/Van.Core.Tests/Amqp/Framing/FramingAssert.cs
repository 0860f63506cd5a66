using System.Collections;
using System.Reflection;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>Writes with an <see cref="AmqpWriter"/> (a ref struct, so no Action&lt;T&gt;).</summary>
internal delegate void FramingWrite(AmqpWriter writer);

/// <summary>Reads with an <see cref="AmqpReader"/> passed by reference.</summary>
internal delegate T FramingRead<out T>(ref AmqpReader reader);

/// <summary>Encoding helpers and field-by-field structural equality for framing types.</summary>
internal static class FramingAssert
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static byte[] Encode(Performative performative)
    {
        using var buffer = new AmqpBuffer();
        performative.Encode(buffer);
        return buffer.ToArray();
    }

    public static byte[] Write(FramingWrite write)
    {
        using var buffer = new AmqpBuffer();
        write(new AmqpWriter(buffer));
        return buffer.ToArray();
    }

    /// <summary>Decodes a performative, asserting every byte is consumed.</summary>
    public static Performative Decode(byte[] bytes) => Read(bytes, static (ref AmqpReader r) => Performative.Decode(ref r));

    public static T Read<T>(byte[] bytes, FramingRead<T> read)
    {
        var reader = new AmqpReader(bytes);
        var value = read(ref reader);
        Assert.True(reader.IsEnd, $"{reader.Remaining} byte(s) left after reading {Convert.ToHexString(bytes)}");
        return value;
    }

    /// <summary>Encode → decode → equal fields; encode again → identical bytes.</summary>
    public static void RoundTrips(Performative original)
    {
        var bytes = Encode(original);
        var decoded = Decode(bytes);
        Equal(original, decoded);
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(Encode(decoded)));
        Assert.False(string.IsNullOrEmpty(decoded.ToString()));
    }

    /// <summary>The same for a nested type with Encode(AmqpWriter) and a static Decode.</summary>
    public static void RoundTrips<T>(T original, FramingWrite encode, FramingRead<T> decode, Func<T, FramingWrite> encodeDecoded)
    {
        var bytes = Write(encode);
        var decoded = Read(bytes, decode);
        Equal(original, decoded);
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(Write(encodeDecoded(decoded))));
    }

    /// <summary>Asserts two framing values are equal field by field (public properties, recursively).</summary>
    public static void Equal(object? expected, object? actual, string path = "")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {Show(expected)} but got {Show(actual)}");
            return;
        }

        if (IsFramingClass(expected.GetType()))
        {
            Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected {expected.GetType().Name} but got {actual.GetType().Name}");
            foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                Equal(property.GetValue(expected), property.GetValue(actual), path + "." + property.Name);
            }

            return;
        }

        Assert.True(AmqpValueComparer.Instance.Equals(expected, actual), $"{path}: expected {Show(expected)} but got {Show(actual)}");
    }

    private static bool IsFramingClass(Type type) =>
        type.IsClass && type.Namespace == typeof(Performative).Namespace && type != typeof(string);

    public static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        byte[] b => "0x" + Convert.ToHexString(b),
        IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => Show(k) + ": " + Show(d[k]))) + "}",
        IList l => "[" + string.Join(", ", l.Cast<object?>().Select(Show)) + "]",
        _ => value.ToString() ?? "",
    };
}
