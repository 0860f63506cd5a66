using Microsoft.Extensions.Logging;
using TwoSites.Contracts;
using Van;

namespace TwoSites.Backend;

/// <summary>
/// The implementation behind "orders". Van resolves it from a DI scope per call, so it may take scoped and singleton
/// services; a thrown exception reaches the caller as a <c>VanRemoteException</c> (type and message, no stack trace).
/// </summary>
public sealed partial class OrdersService(OrderBook book, IVanNode node, ILogger<OrdersService> logger) : IOrders
{
    /// <inheritdoc/>
    public Task<Receipt> PlaceOrderAsync(Order order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (string.IsNullOrWhiteSpace(order.Item))
        {
            throw new ArgumentException($"Order '{order.Id}' names no item.", nameof(order));
        }

        if (order.Quantity is < 1 or > 1000)
        {
            throw new ArgumentException($"Order '{order.Id}' asks for {order.Quantity} x {order.Item}; the quantity must be from 1 to 1,000.", nameof(order));
        }

        var receipt = new Receipt(order.Id, book.Next(), node.NodeId, node.Site, DateTimeOffset.UtcNow);
        LogPlaced(logger, order.Id, order.Quantity, order.Item, receipt.ReceiptNumber);
        return Task.FromResult(receipt);
    }

    /// <inheritdoc/>
    public Task<OrdersStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new OrdersStatus(node.NodeId, node.Site, book.Placed, book.StartedAt));

    [LoggerMessage(1, LogLevel.Information, "Placed order {OrderId}: {Quantity} x {Item} (receipt #{ReceiptNumber})")]
    private static partial void LogPlaced(ILogger logger, string orderId, int quantity, string item, long receiptNumber);
}
