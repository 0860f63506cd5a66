using System.Net;

namespace Van;

/// <summary>This process's node, as the application may inspect it (resolve it from DI after <c>AddVirtualNetwork()</c>).</summary>
public interface IVanNode
{
    /// <summary>The node's id in the network.</summary>
    string NodeId { get; }

    /// <summary>The node's site.</summary>
    string Site { get; }

    /// <summary>Whether the node has started and not begun to stop.</summary>
    bool IsRunning { get; }

    /// <summary>The endpoints the node listens on (real ports where port 0 was configured); empty until it starts.</summary>
    IReadOnlyList<IPEndPoint> ListenEndpoints { get; }
}
