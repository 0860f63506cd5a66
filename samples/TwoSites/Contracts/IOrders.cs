namespace TwoSites.Contracts;

/// <summary>
/// The "orders" service. Backend serves it with <c>AddService&lt;IOrders, OrdersService&gt;("orders")</c>; Frontend calls
/// it through <c>IVanClient.CreateProxy&lt;IOrders&gt;("orders")</c>. On the wire each method is a request whose subject
/// is the method's name and whose body is the argument as JSON (camelCase), so any AMQP 1.0 client can call it too.
/// </summary>
public interface IOrders
{
    /// <summary>Places an order; the receipt names the node that handled it.</summary>
    /// <exception cref="ArgumentException">(as a <c>VanRemoteException</c> at the caller) The order is invalid.</exception>
    Task<Receipt> PlaceOrderAsync(Order order, CancellationToken cancellationToken = default);

    /// <summary>What the instance that answers has done so far.</summary>
    Task<OrdersStatus> GetStatusAsync(CancellationToken cancellationToken = default);
}
