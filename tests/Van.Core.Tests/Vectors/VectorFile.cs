using System.Globalization;

namespace Van.Core.Tests.Vectors;

/// <summary>
/// One record of a vector file (format in Data/README.md): a frame, an 8-byte protocol header or a non-AMQP
/// byte run, as one direction of a TCP connection carried it, with tshark's decode and the typed <c>#=</c>
/// annotation that follows it.
/// </summary>
internal sealed record VectorRecord(
    string File,
    int Line,
    string Connection,
    string Direction,
    double Time,
    byte[] Bytes,
    string Tshark,
    string? Annotation)
{
    /// <summary>An 8-byte protocol header: "AMQP" then protocol-id, major, minor, revision.</summary>
    public bool IsProtocolHeader => Bytes.Length == 8 && Bytes.AsSpan(0, 4).SequenceEqual("AMQP"u8);

    /// <summary>Bytes the capture marked as not AMQP at all (e.g. an HTTP request).</summary>
    public bool IsNotAmqp => Tshark.StartsWith("NOT AMQP", StringComparison.Ordinal);

    /// <summary>A frame (neither a protocol header nor foreign bytes).</summary>
    public bool IsFrame => !IsProtocolHeader && !IsNotAmqp;

    public override string ToString() => $"{File}:{Line} {Direction} {Tshark}";
}

/// <summary>Reads the vector files copied to the output directory under Vectors/Data.</summary>
internal static class VectorFile
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "01-request-reply.txt",
        "02-large-message-multiframe.txt",
        "03-heartbeat-idle-timeout.txt",
        "04-sasl-and-headers.txt",
        "05-outcomes-and-message-encodings.txt",
        "06-no-route-and-protocol-errors.txt",
    ];

    private static readonly Dictionary<string, IReadOnlyList<VectorRecord>> Cache = new(StringComparer.Ordinal);

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Vectors", "Data", name);

    public static IReadOnlyList<VectorRecord> Load(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var records))
            {
                records = Parse(name, File.ReadAllLines(PathOf(name)));
                Cache[name] = records;
            }

            return records;
        }
    }

    public static IEnumerable<VectorRecord> All() => Names.SelectMany(Load);

    /// <summary>Parses the lines of one file; a <c>#=</c> line attaches to the record just before it.</summary>
    public static IReadOnlyList<VectorRecord> Parse(string name, IReadOnlyList<string> lines)
    {
        var records = new List<VectorRecord>();
        var connection = "";
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.StartsWith("## connection:", StringComparison.Ordinal))
            {
                connection = line["## connection:".Length..].Trim();
                continue;
            }

            if (line.StartsWith("#=", StringComparison.Ordinal))
            {
                if (records.Count == 0 || records[^1].Annotation is not null || records[^1].Line != i)
                {
                    throw new FormatException($"{name}:{i + 1}: a '#=' line that does not follow a record.");
                }

                records[^1] = records[^1] with { Annotation = line[2..].Trim() };
                continue;
            }

            if (line.StartsWith('#') || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var columns = line.Split('\t');
            if (columns.Length < 4 || columns[0] is not ("C>S" or "S>C"))
            {
                throw new FormatException($"{name}:{i + 1}: not a record: {line}");
            }

            records.Add(new VectorRecord(
                name,
                i + 1,
                connection,
                columns[0],
                double.Parse(columns[1], CultureInfo.InvariantCulture),
                Convert.FromHexString(columns[2]),
                columns[3],
                null));
        }

        return records;
    }
}
