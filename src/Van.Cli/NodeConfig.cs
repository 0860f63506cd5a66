using System.Text.Json;
using System.Text.Json.Serialization;

namespace Van.Cli;

/// <summary>The <c>--config FILE</c> of <c>van node</c> (JSON); command-line flags add to or override it.</summary>
internal sealed class NodeConfig
{
    public string? Id { get; set; }

    public string? Site { get; set; }

    public List<string> Listen { get; set; } = [];

    public List<string> Connect { get; set; } = [];

    public List<string> Echo { get; set; } = [];

    /// <summary>Address prefix → closest, balanced or multicast.</summary>
    public Dictionary<string, string> Distributions { get; set; } = [];

    public int? HelloIntervalMs { get; set; }

    public static NodeConfig Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), NodeConfigJsonContext.Default.NodeConfig)
                ?? throw new FormatException($"{path}: the file is empty.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(NodeConfig))]
internal sealed partial class NodeConfigJsonContext : JsonSerializerContext;
