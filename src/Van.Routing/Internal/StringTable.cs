using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Van.Core.Amqp.Encoding;

namespace Van.Routing.Internal;

/// <summary>
/// The strings a node reads in every message's routing annotations (addresses, node ids), decoded once: a fixed table
/// of recent ASCII strings looked up by their bytes, so reading a known one allocates nothing. A miss decodes a new
/// string and takes its slot (last writer wins, no lock: a slot always holds a whole string). Strings that are not ASCII
/// or are long are decoded every time and never kept, so the table stays small whatever peers send.
/// </summary>
internal sealed class StringTable
{
    private const int MaxLength = 128;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly string?[] _slots;

    /// <param name="size">Slots in the table: a power of two.</param>
    public StringTable(int size = 1024)
    {
        if (size <= 0 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A power of two.");
        }

        _slots = new string?[size];
    }

    /// <summary>Reads a string value (str8 or str32) as <see cref="AmqpReader.ReadString"/> does.</summary>
    /// <exception cref="AmqpDecodeException">Not a string, truncated, or not valid UTF-8.</exception>
    public string Read(ref AmqpReader reader) => Get(reader.ReadStringUtf8());

    /// <summary>
    /// The string whose UTF-8 encoding is <paramref name="utf8"/>. Invalid UTF-8 throws, or with
    /// <paramref name="lenient"/> decodes with replacement characters (as <see cref="Encoding.UTF8"/> does).
    /// </summary>
    /// <exception cref="AmqpDecodeException">The bytes are not valid UTF-8 (and not <paramref name="lenient"/>).</exception>
    public string Get(ReadOnlySpan<byte> utf8, bool lenient = false)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        if (utf8.Length > MaxLength)
        {
            return Decode(utf8, lenient);
        }

        ref var slot = ref _slots[Hash(utf8) & (_slots.Length - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var decoded = Decode(utf8, lenient);
        if (Ascii.IsValid(utf8))
        {
            Volatile.Write(ref slot, decoded);
        }

        return decoded;
    }

    /// <summary>The string equal to <paramref name="chars"/>, from the table when it holds it.</summary>
    public string Get(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
        {
            return "";
        }

        if (chars.Length > MaxLength)
        {
            return chars.ToString();
        }

        ref var slot = ref _slots[Hash(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars)) & (_slots.Length - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && chars.SequenceEqual(cached))
        {
            return cached;
        }

        var made = chars.ToString();
        if (Ascii.IsValid(chars))
        {
            Volatile.Write(ref slot, made);
        }

        return made;
    }

    /// <summary>
    /// Every byte, eight at a time (multiply and rotate): short strings take a few steps. Not seeded: a collision only
    /// costs a decode and a slot, never a longer search, so a peer choosing colliding strings gains nothing.
    /// </summary>
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var h = (ulong)bytes.Length * 0x9E3779B97F4A7C15UL;
        while (bytes.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 0xC2B2AE3D27D4EB4FUL, 31);
            bytes = bytes[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            tail = (tail << 8) | bytes[i];
        }

        h = (h ^ tail) * 0x165667B19E3779F9UL;
        return (int)(h ^ (h >> 29) ^ (h >> 47));
    }

    private static string Decode(ReadOnlySpan<byte> utf8, bool lenient)
    {
        if (lenient)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new AmqpDecodeException("A string is not valid UTF-8.", e);
        }
    }
}
