using System.Buffers;
using System.Runtime.CompilerServices;

namespace Van.Internal;

/// <summary>
/// Payloads in and out: raw byte types pass through untouched (so <c>SendAsync(address, bytes)</c> never turns bytes
/// into base64 JSON), <see cref="NoPayload"/> is an empty body, everything else goes through the serializer.
/// </summary>
internal static class Payload
{
    public static bool IsRaw<T>() =>
        typeof(T) == typeof(byte[]) || typeof(T) == typeof(ReadOnlyMemory<byte>) || typeof(T) == typeof(Memory<byte>) || typeof(T) == typeof(NoPayload);

    public static string? ContentTypeOf<T>(IVanSerializer serializer) => IsRaw<T>() ? null : serializer.ContentType;

    /// <summary>The bytes of a raw payload as they are (no copy); false for a value the serializer writes.</summary>
    public static bool TryGetRaw<T>(T value, out ReadOnlyMemory<byte> raw)
    {
        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            raw = Unsafe.As<T, ReadOnlyMemory<byte>>(ref value);
            return true;
        }

        if (typeof(T) == typeof(Memory<byte>))
        {
            raw = Unsafe.As<T, Memory<byte>>(ref value);
            return true;
        }

        if (typeof(T) == typeof(byte[]))
        {
            raw = (byte[]?)(object?)value;
            return true;
        }

        raw = default;
        return typeof(T) == typeof(NoPayload);
    }

    public static void Write<T>(IVanSerializer serializer, IBufferWriter<byte> output, T value)
    {
        if (typeof(T) == typeof(NoPayload))
        {
            return;
        }

        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            output.Write(Unsafe.As<T, ReadOnlyMemory<byte>>(ref value).Span);
        }
        else if (typeof(T) == typeof(Memory<byte>))
        {
            output.Write(Unsafe.As<T, Memory<byte>>(ref value).Span);
        }
        else if (typeof(T) == typeof(byte[]))
        {
            output.Write((byte[]?)(object?)value ?? []);
        }
        else
        {
            serializer.Serialize(output, value);
        }
    }

    /// <summary>Reads a payload; for the raw types the result shares <paramref name="data"/> (byte[] is a copy).</summary>
    public static T Read<T>(IVanSerializer serializer, ReadOnlyMemory<byte> data)
    {
        if (typeof(T) == typeof(NoPayload))
        {
            return default!;
        }

        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            return Unsafe.As<ReadOnlyMemory<byte>, T>(ref data);
        }

        if (typeof(T) == typeof(Memory<byte>))
        {
            var copy = new Memory<byte>(data.ToArray());
            return Unsafe.As<Memory<byte>, T>(ref copy);
        }

        if (typeof(T) == typeof(byte[]))
        {
            return (T)(object)data.ToArray();
        }

        return serializer.Deserialize<T>(data.Span);
    }
}
