namespace Van;

/// <summary>Nothing reachable serves the address: the network says so at once (the call was not handled).</summary>
public sealed class VanNoRouteException : VanException
{
    /// <summary>Creates the exception; <paramref name="reason"/> is the network's own words (naming the address).</summary>
    public VanNoRouteException(string address, string? reason = null)
        : base(address, reason ?? $"No route to '{address}': nothing reachable serves it.")
    {
    }
}
