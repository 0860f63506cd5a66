using System.Text.Json.Serialization;

namespace Van.Routing.Internal;

/// <summary>What <c>_van/status</c> answers: the node's view of the network.</summary>
internal sealed class StatusReport
{
    public string Node { get; set; } = "";

    public string Site { get; set; } = "";

    public List<StatusNode> Nodes { get; set; } = [];

    public List<StatusAddress> Addresses { get; set; } = [];
}

internal sealed class StatusNode
{
    public string Id { get; set; } = "";

    public string Site { get; set; } = "";

    public bool Reachable { get; set; }

    public int Cost { get; set; }

    public string? NextHop { get; set; }

    public Dictionary<string, int> Links { get; set; } = [];
}

internal sealed class StatusAddress
{
    public string Address { get; set; } = "";

    public List<string> Nodes { get; set; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
