namespace Quickstart;

/// <summary>The service contract: callers get a proxy for it, the orders sites implement it.</summary>
public interface IOrders
{
    Task<Receipt> PlaceAsync(Order order, CancellationToken cancellationToken);
}

public sealed record Order(int Id, string Item, int WorkMs);

public sealed record Receipt(int OrderId, string Node, string Site);
