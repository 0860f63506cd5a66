using Van;

namespace Quickstart;

/// <summary>One instance of the orders service; resolved from DI per call, like any scoped service.</summary>
internal sealed class OrdersService(IVanNode node) : IOrders
{
    public async Task<Receipt> PlaceAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.WorkMs > 0)
        {
            await Task.Delay(order.WorkMs, cancellationToken);
        }

        return new Receipt(order.Id, node.NodeId, node.Site);
    }
}
