using System.Buffers.Binary;

namespace Van.Fuzz;

/// <summary>A size, count or length field found in an encoding: where it is and how wide (1 or 4 bytes).</summary>
internal readonly record struct LengthField(int Offset, int Width);

/// <summary>
/// A tolerant scan of AMQP bytes, independent of Van's reader: where values start (constructor offsets) and where
/// their size, count and length fields are. Stops quietly at the first byte it cannot make sense of.
/// </summary>
internal static class Structure
{
    private const int MaxItems = 4096;

    public static void Scan(ReadOnlySpan<byte> bytes, int start, List<int> valueStarts, List<LengthField> fields)
    {
        var p = start;
        while (p < bytes.Length && valueStarts.Count < MaxItems)
        {
            valueStarts.Add(p);
            var code = bytes[p++];
            if (code == 0x00)
            {
                continue; // descriptor and value follow as ordinary values
            }

            var width = FixedWidth(code);
            if (width >= 0)
            {
                p += width;
                continue;
            }

            switch (code)
            {
                case 0xa0 or 0xa1 or 0xa3:
                    if (p >= bytes.Length)
                    {
                        return;
                    }

                    fields.Add(new(p, 1));
                    p += 1 + bytes[p];
                    break;
                case 0xb0 or 0xb1 or 0xb3:
                    if (p + 4 > bytes.Length)
                    {
                        return;
                    }

                    fields.Add(new(p, 4));
                    var length = BinaryPrimitives.ReadInt32BigEndian(bytes[p..]);
                    if (length < 0 || length > bytes.Length)
                    {
                        return;
                    }

                    p += 4 + length;
                    break;
                case 0xc0 or 0xc1:
                    if (p + 2 > bytes.Length)
                    {
                        return;
                    }

                    fields.Add(new(p, 1));
                    fields.Add(new(p + 1, 1));
                    p += 2; // the items follow as ordinary values
                    break;
                case 0xd0 or 0xd1:
                    if (p + 8 > bytes.Length)
                    {
                        return;
                    }

                    fields.Add(new(p, 4));
                    fields.Add(new(p + 4, 4));
                    p += 8;
                    break;
                case 0xe0:
                    if (p + 2 > bytes.Length)
                    {
                        return;
                    }

                    fields.Add(new(p, 1));
                    fields.Add(new(p + 1, 1));
                    p += 1 + bytes[p]; // elements have no constructors: skip the whole array
                    break;
                case 0xf0:
                    if (p + 8 > bytes.Length)
                    {
                        return;
                    }

                    fields.Add(new(p, 4));
                    fields.Add(new(p + 4, 4));
                    var size = BinaryPrimitives.ReadInt32BigEndian(bytes[p..]);
                    if (size < 0 || size > bytes.Length)
                    {
                        return;
                    }

                    p += 4 + size;
                    break;
                default:
                    return;
            }
        }
    }

    public static int FixedWidth(byte code) => code switch
    {
        0x40 or 0x41 or 0x42 or 0x43 or 0x44 or 0x45 => 0,
        0x50 or 0x51 or 0x52 or 0x53 or 0x54 or 0x55 or 0x56 => 1,
        0x60 or 0x61 => 2,
        0x70 or 0x71 or 0x72 or 0x73 or 0x74 => 4,
        0x80 or 0x81 or 0x82 or 0x83 or 0x84 => 8,
        0x94 or 0x98 => 16,
        _ => -1,
    };
}

/// <summary>
/// A parsed AMQP value whose compound sizes and counts are recomputed when it is written back, so structural
/// mutations (swap a field for a hostile value, drop or repeat an item) reach deep into the decoder instead of
/// failing at the first size check.
/// </summary>
internal sealed class Node
{
    private Node(byte code, byte[]? raw, List<Node>? children)
    {
        Code = code;
        Raw = raw;
        Children = children;
    }

    /// <summary>0x00 for described (children: descriptor, value), a list or map code, or the code of a leaf.</summary>
    public byte Code { get; }

    /// <summary>The complete encoding of a leaf (constructor included), or null for a compound.</summary>
    public byte[]? Raw { get; private set; }

    public List<Node>? Children { get; }

    public static Node Leaf(byte[] raw) => new(raw.Length > 0 ? raw[0] : (byte)0x40, raw, null);

    /// <summary>Parses one value at <paramref name="p"/>; null when the bytes are not understood.</summary>
    public static Node? Parse(ReadOnlySpan<byte> bytes, ref int p, int depth = 0)
    {
        if (p >= bytes.Length || depth > 100)
        {
            return null;
        }

        var start = p;
        var code = bytes[p++];
        switch (code)
        {
            case 0x00:
                {
                    var descriptor = Parse(bytes, ref p, depth + 1);
                    var value = descriptor is null ? null : Parse(bytes, ref p, depth + 1);
                    return value is null ? null : new Node(0x00, null, [descriptor!, value]);
                }

            case 0xc0 or 0xc1 or 0xd0 or 0xd1:
                {
                    var wide = code >= 0xd0;
                    if (p + (wide ? 8 : 2) > bytes.Length)
                    {
                        return null;
                    }

                    var count = wide ? BinaryPrimitives.ReadInt32BigEndian(bytes[(p + 4)..]) : bytes[p + 1];
                    p += wide ? 8 : 2;
                    if (count < 0 || count > bytes.Length)
                    {
                        return null;
                    }

                    var children = new List<Node>(count);
                    for (var i = 0; i < count; i++)
                    {
                        var child = Parse(bytes, ref p, depth + 1);
                        if (child is null)
                        {
                            return null;
                        }

                        children.Add(child);
                    }

                    return new Node((byte)(code is 0xc0 or 0xd0 ? 0xc0 : 0xc1), null, children);
                }

            default:
                {
                    var width = Structure.FixedWidth(code);
                    int end;
                    if (width >= 0)
                    {
                        end = p + width;
                    }
                    else if (code is 0xa0 or 0xa1 or 0xa3 or 0xe0)
                    {
                        end = p < bytes.Length ? p + 1 + bytes[p] : int.MaxValue;
                    }
                    else if (code is 0xb0 or 0xb1 or 0xb3 or 0xf0)
                    {
                        end = p + 4 <= bytes.Length ? p + 4 + (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(bytes[p..]), int.MaxValue / 2) : int.MaxValue;
                    }
                    else
                    {
                        return null;
                    }

                    if (end > bytes.Length)
                    {
                        return null;
                    }

                    p = end;
                    return Leaf(bytes[start..end].ToArray());
                }
        }
    }

    /// <summary>Every node of the tree, this one included, in pre-order.</summary>
    public void Collect(List<Node> all)
    {
        all.Add(this);
        if (Children is not null)
        {
            foreach (var c in Children)
            {
                c.Collect(all);
            }
        }
    }

    /// <summary>Turns this node into <paramref name="replacement"/> in place.</summary>
    public void ReplaceWith(byte[] replacement)
    {
        Raw = replacement;
        Children?.Clear();
    }

    public void Write(List<byte> output)
    {
        if (Raw is not null)
        {
            output.AddRange(Raw);
            return;
        }

        if (Code == 0x00)
        {
            output.Add(0x00);
            foreach (var c in Children!)
            {
                c.Write(output);
            }

            return;
        }

        var body = new List<byte>();
        foreach (var c in Children!)
        {
            c.Write(body);
        }

        var count = Children!.Count;
        if (body.Count + 1 <= 255 && count <= 255)
        {
            output.Add(Code);
            output.Add((byte)(body.Count + 1));
            output.Add((byte)count);
        }
        else
        {
            output.Add((byte)(Code + 0x10));
            Span<byte> h = stackalloc byte[8];
            BinaryPrimitives.WriteInt32BigEndian(h, body.Count + 4);
            BinaryPrimitives.WriteInt32BigEndian(h[4..], count);
            output.AddRange(h.ToArray());
        }

        output.AddRange(body);
    }
}
