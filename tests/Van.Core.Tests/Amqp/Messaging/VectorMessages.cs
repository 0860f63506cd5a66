using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Tests.Amqp.Messaging;

/// <summary>A message payload cut out of a captured transfer frame, with the capture's typed decode of it.</summary>
internal sealed record VectorMessage(string File, int Line, string Direction, byte[] Payload, string Decode)
{
    public override string ToString() => $"{File}:{Line} {Direction}";
}

/// <summary>
/// Reads transfer payloads from the capture files without the framing code: skip the frame header (doff words),
/// skip the transfer performative as one raw value, and the rest of the frame is the message.
/// </summary>
internal static class VectorMessages
{
    public static IReadOnlyList<VectorMessage> Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", "Data", file);
        var lines = File.ReadAllLines(path);
        var result = new List<VectorMessage>();
        for (var i = 0; i < lines.Length; i++)
        {
            var columns = lines[i].Split('\t');
            if (columns.Length < 4 || lines[i].StartsWith('#') || !columns[3].Contains(" transfer (", StringComparison.Ordinal))
            {
                continue;
            }

            var frame = Convert.FromHexString(columns[2]);
            var body = frame.AsSpan(frame[4] * 4);
            var reader = new AmqpReader(body);
            var start = reader.Position;
            Assert.Equal(Descriptors.Transfer, reader.ReadDescriptorCode());
            reader.Position = start;
            reader.SkipValue();
            var payload = body[reader.Position..].ToArray();
            var decode = i + 1 < lines.Length && lines[i + 1].StartsWith("#=", StringComparison.Ordinal) ? lines[i + 1] : "";
            result.Add(new VectorMessage(file, i + 1, columns[0], payload, decode));
        }

        return result;
    }

    /// <summary>The transfers whose message-id encodes to <paramref name="rawMessageId"/> (hex).</summary>
    public static IReadOnlyList<VectorMessage> WithMessageId(string file, string rawMessageId) =>
        Load(file).Where(m =>
        {
            var reader = new MessageReader(m.Payload);
            return reader.TryGetMessageIdRaw(out var id) && string.Equals(Convert.ToHexString(id), rawMessageId, StringComparison.OrdinalIgnoreCase);
        }).ToList();
}
