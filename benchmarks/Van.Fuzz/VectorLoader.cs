using System.Buffers.Binary;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Fuzz;

/// <summary>
/// Adds the captured vectors (tests/Van.Core.Tests/Vectors/Data, copied next to the program) to the corpus: each
/// whole frame, and each complete transfer payload as a message. Records are <c>dir \t time \t hex \t decode</c>.
/// </summary>
internal static class VectorLoader
{
    public static void Load(string directory, List<CorpusEntry> entries)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(directory, "*.txt").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var n = 0;
            foreach (var line in File.ReadLines(file))
            {
                var columns = line.Split('\t');
                if (columns.Length < 3 || columns[0] is not ("C>S" or "S>C"))
                {
                    continue;
                }

                byte[] bytes;
                try
                {
                    bytes = Convert.FromHexString(columns[2]);
                }
                catch (FormatException)
                {
                    continue;
                }

                // Protocol headers and frames cut short by the capture are left out.
                if (bytes.Length < 8 || bytes.AsSpan(0, 4).SequenceEqual("AMQP"u8) || BinaryPrimitives.ReadUInt32BigEndian(bytes) != bytes.Length)
                {
                    continue;
                }

                n++;
                entries.Add(new($"vector:{name}#{n}", InputKind.Frame, bytes));
                try
                {
                    if (FrameCodec.ReadFrameBody(bytes, out _, out _, out var payload) is Transfer { More: false } && !payload.IsEmpty)
                    {
                        // The last frame of a multi-frame delivery holds only the message's tail: keep whole messages.
                        _ = Van.Core.Amqp.Messaging.AmqpMessage.Decode(payload);
                        entries.Add(new($"vector:{name}#{n}:message", InputKind.Message, payload.ToArray()));
                    }
                }
                catch (AmqpDecodeException)
                {
                    // Not every captured frame is one Van decodes (the capture includes refused ones).
                }
            }
        }
    }
}
