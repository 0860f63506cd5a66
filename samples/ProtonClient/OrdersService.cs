using TwoSites.Contracts;
using Van;

namespace ProtonClient;

/// <summary>A minimal IOrders (TwoSites' Backend has the full one): receipts name this node; bad quantities throw.</summary>
public sealed class OrdersService(IVanNode node) : IOrders
{
    private static long s_placed;

    /// <inheritdoc/>
    public Task<Receipt> PlaceOrderAsync(Order order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Quantity is < 1 or > 1000)
        {
            throw new ArgumentException($"Order '{order.Id}' asks for {order.Quantity} x {order.Item}; the quantity must be from 1 to 1,000.", nameof(order));
        }

        return Task.FromResult(new Receipt(order.Id, Interlocked.Increment(ref s_placed), node.NodeId, node.Site, DateTimeOffset.UtcNow));
    }

    /// <inheritdoc/>
    public Task<OrdersStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new OrdersStatus(node.NodeId, node.Site, Interlocked.Read(ref s_placed), DateTimeOffset.UtcNow));
}
