using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Van.LoadTest.Reporting;

/// <summary>Source-generated serialization of the <c>--json</c> output (no reflection).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<ResultRow>))]
internal sealed partial class LoadTestJsonContext : JsonSerializerContext
{
    /// <summary>As <see cref="JsonSerializerContext"/>'s default, with "µs" and "→" written as they are rather than escaped.</summary>
    public static LoadTestJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    });
}
