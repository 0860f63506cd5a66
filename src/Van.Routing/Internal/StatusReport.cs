using System.Text.Json.Serialization;

namespace Van.Routing.Internal;

/// <summary>What <c>_van/status</c> answers: the node's view of the network.</summary>
internal sealed class StatusReport
{
    public string Node { get; set; } = "";

    public string Site { get; set; } = "";

    public List<StatusNode> Nodes { get; set; } = [];

    public List<StatusAddress> Addresses { get; set; } = [];

    /// <summary>This node's open connections, with how each is secured (absent from reports of older nodes).</summary>
    public List<StatusConnection> Connections { get; set; } = [];
}

/// <summary>One open connection of the reporting node.</summary>
internal sealed class StatusConnection
{
    /// <summary>Direction and remote end: <c>in:ADDRESS</c> or <c>out:ENDPOINT</c>.</summary>
    public string Connection { get; set; } = "";

    /// <summary>"inter-node", "client", "refused" or "unknown" (still opening).</summary>
    public string Kind { get; set; } = "";

    /// <summary>The neighbour's node id, for inter-node connections.</summary>
    public string? Peer { get; set; }

    /// <summary>Whether the connection runs over TLS.</summary>
    public bool Tls { get; set; }

    /// <summary>The SASL mechanism the peer authenticated with (on outgoing connections, the one this node used); null: none.</summary>
    public string? Sasl { get; set; }

    /// <summary>Who the peer authenticated as: the certificate subject (EXTERNAL), the PLAIN user, or "anonymous".</summary>
    public string? Identity { get; set; }

    /// <summary>The subject of the peer's TLS certificate, when it presented one.</summary>
    public string? Certificate { get; set; }
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
