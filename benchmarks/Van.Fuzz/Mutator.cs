using System.Buffers.Binary;
using System.Text;

namespace Van.Fuzz;

/// <summary>
/// Turns a corpus entry into one case's input. Everything comes from the case's own <see cref="Random"/>, so a
/// case replays exactly from (seed, case number).
/// </summary>
internal sealed class Mutator
{
    private static readonly byte[] Interesting =
    [
        0x00, 0xff, 0x7f, 0x80, 0x01, 0x02, 0xfe, 0x81,
        0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x60, 0x61,
        0x70, 0x71, 0x72, 0x73, 0x74, 0x80, 0x81, 0x82, 0x83, 0x84, 0x94, 0x98,
        0xa0, 0xa1, 0xa3, 0xb0, 0xb1, 0xb3, 0xc0, 0xc1, 0xd0, 0xd1, 0xe0, 0xf0,
    ];

    private readonly IReadOnlyList<CorpusEntry> _corpus;

    public Mutator(IReadOnlyList<CorpusEntry> corpus) => _corpus = corpus;

    /// <summary>Builds the input of one case; <paramref name="log"/> names the steps taken, for the report.</summary>
    public byte[] Mutate(Random rng, CorpusEntry entry, StringBuilder log)
    {
        var bytes = entry.Bytes;
        var bodyStart = entry.Kind == InputKind.Frame ? Math.Min(bytes.Length, Math.Max(8, bytes[4] * 4)) : 0;

        // Structured changes first (sizes recomputed), so they reach the decoder's deeper paths.
        if (rng.Next(3) == 0)
        {
            bytes = Structured(rng, bytes, bodyStart, entry.Kind, log);
        }

        var steps = rng.Next(4) switch
        {
            0 => 0,
            1 => 1,
            2 => 1 + rng.Next(3),
            _ => 1 + rng.Next(8),
        };
        var sizeLie = false;
        for (var i = 0; i < steps; i++)
        {
            bytes = RawStep(rng, bytes, bodyStart, entry.Kind, log, ref sizeLie);
        }

        // Most frames get their size field put right again, so the body decoder sees the damage.
        if (entry.Kind == InputKind.Frame && bytes.Length >= 4 && !sizeLie && rng.Next(8) != 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)bytes.Length);
        }

        return bytes;
    }

    private byte[] Structured(Random rng, byte[] bytes, int bodyStart, InputKind kind, StringBuilder log)
    {
        // Parse every top-level value (a message has several sections; a frame body is a performative + payload).
        var roots = new List<Node>();
        var p = bodyStart;
        while (p < bytes.Length && roots.Count < 16)
        {
            var node = Node.Parse(bytes, ref p);
            if (node is null)
            {
                break;
            }

            roots.Add(node);
        }

        var tail = bytes.AsSpan(p).ToArray();
        if (roots.Count == 0)
        {
            return bytes;
        }

        var all = new List<Node>();
        foreach (var r in roots)
        {
            r.Collect(all);
        }

        var rounds = 1 + rng.Next(3);
        for (var i = 0; i < rounds; i++)
        {
            var target = all[rng.Next(all.Count)];
            switch (rng.Next(6))
            {
                case 0:
                    target.ReplaceWith(Hostile.Make(rng));
                    log.Append("tree:hostile ");
                    break;
                case 1:
                    target.ReplaceWith(RandomValue(rng));
                    log.Append("tree:swap-value ");
                    break;
                case 2 when target.Children is { Count: > 0 } kids:
                    kids.RemoveAt(rng.Next(kids.Count));
                    log.Append("tree:drop-item ");
                    break;
                case 3 when target.Children is { Count: > 0 } kids:
                    kids.Insert(rng.Next(kids.Count), kids[rng.Next(kids.Count)]);
                    log.Append("tree:repeat-item ");
                    break;
                case 4 when target.Children is { } kids:
                    kids.Add(Node.Leaf(RandomValue(rng)));
                    log.Append("tree:add-item ");
                    break;
                default:
                    target.ReplaceWith(new[] { (byte)0x40 });
                    log.Append("tree:null ");
                    break;
            }
        }

        var output = new List<byte>(bytes.Length + 64);
        output.AddRange(bytes.AsSpan(0, bodyStart).ToArray());
        foreach (var r in roots)
        {
            r.Write(output);
        }

        output.AddRange(tail);
        var result = output.ToArray();
        if (kind == InputKind.Frame && result.Length >= 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(result, (uint)result.Length);
        }

        return result;
    }

    /// <summary>A value from the corpus (any valid encoding) or a hostile one.</summary>
    private byte[] RandomValue(Random rng)
    {
        if (rng.Next(3) == 0)
        {
            return Hostile.Make(rng);
        }

        var donor = _corpus[rng.Next(_corpus.Count)];
        var starts = new List<int>();
        var fields = new List<LengthField>();
        var from = donor.Kind == InputKind.Frame ? 8 : 0;
        Structure.Scan(donor.Bytes, from, starts, fields);
        if (starts.Count == 0)
        {
            return [0x40];
        }

        var p = starts[rng.Next(starts.Count)];
        var node = Node.Parse(donor.Bytes, ref p);
        if (node is null)
        {
            return [0x40];
        }

        var output = new List<byte>();
        node.Write(output);
        return [.. output];
    }

    private byte[] RawStep(Random rng, byte[] bytes, int bodyStart, InputKind kind, StringBuilder log, ref bool sizeLie)
    {
        if (bytes.Length == 0)
        {
            return [Interesting[rng.Next(Interesting.Length)]];
        }

        switch (rng.Next(10))
        {
            case 0:
                {
                    var copy = (byte[])bytes.Clone();
                    var flips = 1 + rng.Next(8);
                    for (var i = 0; i < flips; i++)
                    {
                        copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
                    }

                    log.Append("bitflip ");
                    return copy;
                }

            case 1:
                {
                    var copy = (byte[])bytes.Clone();
                    var at = PickPosition(rng, copy, bodyStart, kind);
                    copy[at] = Interesting[rng.Next(Interesting.Length)];
                    log.Append("set-byte ");
                    return copy;
                }

            case 2:
                {
                    log.Append("truncate ");
                    return bytes[..rng.Next(bytes.Length)];
                }

            case 3:
                {
                    var at = rng.Next(bytes.Length + 1);
                    var insert = new byte[1 + rng.Next(rng.Next(2) == 0 ? 4 : 64)];
                    if (rng.Next(2) == 0)
                    {
                        rng.NextBytes(insert);
                    }
                    else
                    {
                        for (var i = 0; i < insert.Length; i++)
                        {
                            insert[i] = Interesting[rng.Next(Interesting.Length)];
                        }
                    }

                    log.Append("insert ");
                    return [.. bytes.AsSpan(0, at), .. insert, .. bytes.AsSpan(at)];
                }

            case 4:
                {
                    var from = rng.Next(bytes.Length);
                    var length = 1 + rng.Next(Math.Min(bytes.Length - from, 256));
                    var at = rng.Next(bytes.Length + 1);
                    log.Append("duplicate ");
                    return [.. bytes.AsSpan(0, at), .. bytes.AsSpan(from, length), .. bytes.AsSpan(at)];
                }

            case 5:
                {
                    var from = rng.Next(bytes.Length);
                    var length = 1 + rng.Next(Math.Min(bytes.Length - from, 32));
                    log.Append("delete ");
                    return [.. bytes.AsSpan(0, from), .. bytes.AsSpan(from + length)];
                }

            case 6 or 7:
                return LengthLie(rng, bytes, bodyStart, kind, log, ref sizeLie);

            case 8:
                {
                    // Hostile value dropped in at a value boundary, replacing the rest or inserted.
                    var at = PickPosition(rng, bytes, bodyStart, kind);
                    var hostile = Hostile.Make(rng);
                    log.Append("hostile ");
                    return rng.Next(2) == 0
                        ? [.. bytes.AsSpan(0, at), .. hostile]
                        : [.. bytes.AsSpan(0, at), .. hostile, .. bytes.AsSpan(at)];
                }

            default:
                {
                    // Splice: this input's head onto another's tail (frames keep their header).
                    var donor = _corpus[rng.Next(_corpus.Count)].Bytes;
                    var cut = PickPosition(rng, bytes, bodyStart, kind);
                    var donorCut = rng.Next(donor.Length + 1);
                    log.Append("splice ");
                    return [.. bytes.AsSpan(0, cut), .. donor.AsSpan(donorCut)];
                }
        }
    }

    private static int PickPosition(Random rng, byte[] bytes, int bodyStart, InputKind kind)
    {
        if (rng.Next(2) == 0)
        {
            return rng.Next(bytes.Length);
        }

        var starts = new List<int>();
        Structure.Scan(bytes, kind == InputKind.Frame ? Math.Min(bodyStart, bytes.Length) : 0, starts, []);
        return starts.Count == 0 ? rng.Next(bytes.Length) : Math.Min(starts[rng.Next(starts.Count)], bytes.Length - 1);
    }

    private static byte[] LengthLie(Random rng, byte[] bytes, int bodyStart, InputKind kind, StringBuilder log, ref bool sizeLie)
    {
        var fields = new List<LengthField>();
        if (kind == InputKind.Frame && bytes.Length >= 8)
        {
            fields.Add(new(0, 4)); // frame size
            fields.Add(new(4, 1)); // data offset
        }

        Structure.Scan(bytes, kind == InputKind.Frame ? Math.Min(bodyStart, bytes.Length) : 0, [], fields);
        if (fields.Count == 0)
        {
            return bytes;
        }

        var field = fields[rng.Next(fields.Count)];
        var copy = (byte[])bytes.Clone();
        if (field.Offset + field.Width > copy.Length)
        {
            return bytes;
        }

        var current = field.Width == 1 ? copy[field.Offset] : BinaryPrimitives.ReadUInt32BigEndian(copy.AsSpan(field.Offset));
        var remaining = (uint)(copy.Length - field.Offset - field.Width);
        uint value = rng.Next(12) switch
        {
            0 => 0,
            1 => 1,
            2 => current - 1,
            3 => current + 1,
            4 => remaining,
            5 => remaining + 1,
            6 => 0x7fffffff,
            7 => 0x80000000,
            8 => 0xffffffff,
            9 => 0x40000000,
            10 => current * 2,
            _ => (uint)rng.Next(),
        };
        if (field.Width == 1)
        {
            copy[field.Offset] = (byte)value;
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(field.Offset), value);
        }

        if (kind == InputKind.Frame && field.Offset == 0)
        {
            sizeLie = true;
        }

        log.Append("length-lie ");
        return copy;
    }
}
