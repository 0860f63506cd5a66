namespace TwoSites.Contracts;

/// <summary>The answer to <see cref="IOrders.GetStatusAsync"/>: one instance's view.</summary>
/// <param name="NodeId">The node that answered.</param>
/// <param name="Site">Its site.</param>
/// <param name="OrdersPlaced">Orders it has placed since it started.</param>
/// <param name="StartedAt">When it started (UTC).</param>
public sealed record OrdersStatus(string NodeId, string Site, long OrdersPlaced, DateTimeOffset StartedAt);
