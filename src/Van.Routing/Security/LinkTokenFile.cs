using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Van.Routing;

/// <summary>The JSON form of a <see cref="VanLinkToken"/> file (see <see cref="VanLinkToken.Save"/>).</summary>
internal sealed class LinkTokenFile
{
    /// <summary>Always <see cref="VanLinkToken.Kind"/>; tells a token from other JSON.</summary>
    public string? Kind { get; set; }

    public int Version { get; set; }

    public string? Name { get; set; }

    public string? Url { get; set; }

    public int Cost { get; set; } = 1;

    public DateTimeOffset Expires { get; set; }

    public string? CaPem { get; set; }

    public string? CertPem { get; set; }

    public string? KeyPem { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(LinkTokenFile))]
internal sealed partial class LinkTokenJsonContext : JsonSerializerContext
{
    /// <summary>Writes PEM as it is ('+' rather than "\u002B"): the file is read by people as well as by van.</summary>
    public static LinkTokenJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        PropertyNameCaseInsensitive = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
