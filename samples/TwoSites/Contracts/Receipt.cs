namespace TwoSites.Contracts;

/// <summary>The answer to <see cref="IOrders.PlaceOrderAsync"/>.</summary>
/// <param name="OrderId">The order's id, as sent.</param>
/// <param name="ReceiptNumber">The handling instance's running number for the order.</param>
/// <param name="HandledBy">The id of the Van node (process) that handled the order.</param>
/// <param name="Site">That node's site.</param>
/// <param name="PlacedAt">When it was placed (UTC).</param>
public sealed record Receipt(string OrderId, long ReceiptNumber, string HandledBy, string Site, DateTimeOffset PlacedAt);
