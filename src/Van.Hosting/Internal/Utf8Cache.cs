using System.Text;

namespace Van.Internal;

/// <summary>
/// Strings that recur on the wire (reply addresses, operation names, content types), decoded once: a fixed table of
/// recent ASCII strings looked up by their bytes, so reading a known one allocates nothing. A miss decodes a new string
/// and takes its slot (last writer wins, no lock: a slot always holds a whole, valid string). Strings that are not
/// ASCII or are long are decoded every time and never kept, so the table stays small whatever peers send.
/// </summary>
internal sealed class Utf8Cache
{
    private const int MaxLength = 128;
    private readonly string?[] _slots;

    /// <param name="size">Slots in the table: a power of two.</param>
    public Utf8Cache(int size = 256)
    {
        if (size <= 0 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A power of two.");
        }

        _slots = new string?[size];
    }

    /// <summary>The string whose UTF-8 encoding is <paramref name="utf8"/>.</summary>
    /// <exception cref="Van.Core.Amqp.Encoding.AmqpDecodeException">The bytes are not valid UTF-8.</exception>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        if (utf8.Length > MaxLength)
        {
            return Wire.DecodeUtf8(utf8);
        }

        var hash = new HashCode();
        hash.AddBytes(utf8);
        ref var slot = ref _slots[hash.ToHashCode() & (_slots.Length - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var decoded = Wire.DecodeUtf8(utf8);
        if (Ascii.IsValid(utf8))
        {
            Volatile.Write(ref slot, decoded);
        }

        return decoded;
    }
}
