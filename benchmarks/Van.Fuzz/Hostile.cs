using System.Buffers.Binary;

namespace Van.Fuzz;

/// <summary>Hand-built hostile values: deep nesting and counts that claim far more than the bytes hold.</summary>
internal static class Hostile
{
    private static readonly int[] Depths = [63, 64, 65, 66, 100, 1000, 10_000];

    private static readonly uint[] HugeCounts = [0x7fffffff, 0x80000000, 0xffffffff, 0x40000000, 0x10000, 0x10001, 0xfffe];

    public static byte[] Make(Random rng)
    {
        var depth = Depths[rng.Next(Depths.Length)];
        return rng.Next(11) switch
        {
            0 => NestedList32(depth),
            1 => NestedList8(Math.Min(depth, 80)),
            2 => NestedMap32(depth),
            3 => NestedArray32(depth),
            4 => DescribedDescriptors(depth),
            5 => DescribedValues(depth),
            6 => DescribedArrays(Math.Min(depth, 2000)),
            7 => HugeCompound(rng),
            8 => HugeArray(rng),
            9 => HugeVariable(rng),
            _ => MixedNesting(rng, depth),
        };
    }

    /// <summary>d32 lists, each holding the next: <c>d0 size 00000001 …</c>, innermost list0.</summary>
    public static byte[] NestedList32(int depth)
    {
        var bytes = new byte[depth * 9 + 1];
        var inner = 1;
        bytes[^1] = 0x45;
        for (var i = depth - 1; i >= 0; i--)
        {
            var at = i * 9;
            bytes[at] = 0xd0;
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at + 1), inner + 4);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at + 5), 1);
            inner += 9;
        }

        return bytes;
    }

    public static byte[] NestedList8(int depth)
    {
        var bytes = new byte[depth * 3 + 1];
        var inner = 1;
        bytes[^1] = 0x45;
        for (var i = depth - 1; i >= 0; i--)
        {
            var at = i * 3;
            bytes[at] = 0xc0;
            bytes[at + 1] = (byte)Math.Min(inner + 1, 255);
            bytes[at + 2] = 1;
            inner += 3;
        }

        return bytes;
    }

    /// <summary>Maps whose one value is the next map (key smallulong 1).</summary>
    public static byte[] NestedMap32(int depth)
    {
        const int level = 11;
        var bytes = new byte[depth * level + 1];
        var inner = 1;
        bytes[^1] = 0x40;
        for (var i = depth - 1; i >= 0; i--)
        {
            var at = i * level;
            bytes[at] = 0xd1;
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at + 1), inner + 6);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(at + 5), 2);
            bytes[at + 9] = 0x53;
            bytes[at + 10] = 0x01;
            inner += level;
        }

        return bytes;
    }

    /// <summary>Arrays of one array each; the innermost holds one smallulong.</summary>
    public static byte[] NestedArray32(int depth)
    {
        // An element body has no constructor: size count element-code elements. Built from the inside out.
        var body = new List<byte>();
        body.AddRange(BigEndian(6));
        body.AddRange(BigEndian(1));
        body.AddRange([0x53, 0x07]);
        for (var i = 1; i < depth; i++)
        {
            var next = new List<byte>(body.Count + 9);
            next.AddRange(BigEndian(body.Count + 5));
            next.AddRange(BigEndian(1));
            next.Add(0xf0);
            next.AddRange(body);
            body = next;
        }

        body.Insert(0, 0xf0);
        return [.. body];
    }

    /// <summary>A descriptor that is itself described, <paramref name="depth"/> times: <c>00 00 … 53 01 40 40 …</c>.</summary>
    public static byte[] DescribedDescriptors(int depth)
    {
        var bytes = new byte[depth + 2 + depth];
        bytes.AsSpan(depth + 2).Fill(0x40);
        bytes[depth] = 0x53;
        bytes[depth + 1] = 0x01;
        return bytes;
    }

    /// <summary>A described value whose value is described, <paramref name="depth"/> times: <c>(00 53 01)* 40</c>.</summary>
    public static byte[] DescribedValues(int depth)
    {
        var bytes = new byte[depth * 3 + 1];
        for (var i = 0; i < depth; i++)
        {
            bytes[i * 3] = 0x00;
            bytes[(i * 3) + 1] = 0x53;
            bytes[(i * 3) + 2] = 0x01;
        }

        bytes[^1] = 0x40;
        return bytes;
    }

    /// <summary>An array whose element type is described by an array whose element type is described, and so on.</summary>
    public static byte[] DescribedArrays(int depth)
    {
        // f0 size count=0 00 <descriptor> 40: the descriptor is the next such array.
        var inner = new List<byte> { 0x53, 0x01 };
        for (var i = 0; i < depth; i++)
        {
            var next = new List<byte>(inner.Count + 11) { 0xf0 };
            next.AddRange(BigEndian(4 + 1 + inner.Count + 1));
            next.AddRange(BigEndian(0));
            next.Add(0x00);
            next.AddRange(inner);
            next.Add(0x40);
            inner = next;
        }

        return [.. inner];
    }

    /// <summary>A list or map header claiming a huge count over a few bytes.</summary>
    public static byte[] HugeCompound(Random rng)
    {
        var count = HugeCounts[rng.Next(HugeCounts.Length)];
        var items = rng.Next(0, 32);
        var bytes = new byte[9 + items];
        bytes[0] = rng.Next(2) == 0 ? (byte)0xd0 : (byte)0xd1;
        var size = rng.Next(3) switch
        {
            0 => (uint)(items + 4),
            1 => count,
            _ => 0x7fffffffu,
        };
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), size);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5), count);
        bytes.AsSpan(9).Fill(rng.Next(2) == 0 ? (byte)0x40 : (byte)0x45);
        return bytes;
    }

    /// <summary>An array header claiming a huge count, with each interesting element constructor.</summary>
    public static byte[] HugeArray(Random rng)
    {
        byte[] elements = [0x40, 0x41, 0x45, 0x50, 0x56, 0x70, 0x80, 0x98, 0xa1, 0xb1, 0xc0, 0xd0, 0xd1, 0xe0, 0xf0, 0x00];
        var element = elements[rng.Next(elements.Length)];
        var count = HugeCounts[rng.Next(HugeCounts.Length)];
        var items = rng.Next(0, 32);
        var tail = element == 0x00 ? new byte[] { 0x53, 0x01, 0x40 } : [element];
        var bytes = new byte[9 + tail.Length + items];
        bytes[0] = 0xf0;
        var size = rng.Next(2) == 0 ? (uint)(4 + tail.Length + items) : count;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), size);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5), count);
        tail.CopyTo(bytes.AsSpan(9));
        rng.NextBytes(bytes.AsSpan(9 + tail.Length));
        return bytes;
    }

    /// <summary>A string, symbol or binary whose 32-bit length claims far more than follows.</summary>
    public static byte[] HugeVariable(Random rng)
    {
        byte[] codes = [0xa0, 0xa1, 0xa3, 0xb0, 0xb1, 0xb3];
        var code = codes[rng.Next(codes.Length)];
        var bytes = new byte[code >= 0xb0 ? 5 + 8 : 2 + 8];
        bytes[0] = code;
        if (code >= 0xb0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), HugeCounts[rng.Next(HugeCounts.Length)]);
        }
        else
        {
            bytes[1] = 0xff;
        }

        return bytes;
    }

    /// <summary>Random nesting of lists, maps, arrays and described values.</summary>
    public static byte[] MixedNesting(Random rng, int depth)
    {
        var node = new List<byte> { 0x40 };
        for (var i = 0; i < Math.Min(depth, 300); i++)
        {
            var next = new List<byte>();
            switch (rng.Next(4))
            {
                case 0:
                    next.Add(0xd0);
                    next.AddRange(BigEndian(node.Count + 4));
                    next.AddRange(BigEndian(1));
                    break;
                case 1:
                    next.Add(0xd1);
                    next.AddRange(BigEndian(node.Count + 6));
                    next.AddRange(BigEndian(2));
                    next.Add(0xa1);
                    next.Add(0x00);
                    break;
                case 2:
                    next.AddRange([0x00, 0x53, 0x77]);
                    break;
                default:
                    next.AddRange([0x00, 0xa3, 0x01, 0x78]);
                    break;
            }

            next.AddRange(node);
            node = next;
        }

        return [.. node];
    }

    private static byte[] BigEndian(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        return b;
    }
}
