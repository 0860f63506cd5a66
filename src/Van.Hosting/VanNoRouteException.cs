namespace Van;

/// <summary>Nothing reachable serves the address: the network says so at once (the call was not handled).</summary>
public sealed class VanNoRouteException : VanException
{
    /// <summary>Creates the exception.</summary>
    public VanNoRouteException(string address, string? reason = null)
        : base(address, $"No route to '{address}': {reason ?? "nothing reachable serves it."}")
    {
    }
}
