using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;
using Van.Routing.Internal;

namespace Van.Routing.Benchmarks;

/// <summary>
/// A neighbour of a node under test that speaks just enough of the inter-node protocol for the node to forward to and
/// from it: it opens with the inter-node properties, attaches a data link to the node, and accepts whatever the node
/// sends on its own data link (control traffic is taken and ignored). No routing protocol runs on it: the node treats a
/// neighbour it has no route for as its own next hop.
/// </summary>
internal sealed class FakeNeighbour : AmqpConnectionHandler, IAsyncDisposable
{
    private long _received;

    private FakeNeighbour(string id) => Id = id;

    public string Id { get; }

    public AmqpConnection Connection { get; private set; } = null!;

    /// <summary>Our data link to the peer (what we forward on), once <see cref="OpenDataLinkAsync"/> ran.</summary>
    public SenderLink Data { get; private set; } = null!;

    /// <summary>Messages the peer sent us on its data link.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>A neighbour connected to <paramref name="node"/> over an in-memory transport.</summary>
    public static async Task<FakeNeighbour> ConnectAsync(VanRouter node, string id)
    {
        var neighbour = new FakeNeighbour(id);
        var (client, server) = InMemoryTransport.CreatePair();
        _ = node.AcceptAsync(server);
        neighbour.Connection = await AmqpConnection.ConnectAsync(client, Options(id), neighbour);
        await neighbour.OpenDataLinkAsync();
        return neighbour;
    }

    /// <summary>Two neighbours connected to each other directly (the harness alone, no node between).</summary>
    public static async Task<(FakeNeighbour From, FakeNeighbour To)> ConnectPairAsync(string fromId, string toId)
    {
        var from = new FakeNeighbour(fromId);
        var to = new FakeNeighbour(toId);
        var (client, server) = InMemoryTransport.CreatePair();
        var accepting = AmqpConnection.AcceptAsync(server, Options(toId), to);
        from.Connection = await AmqpConnection.ConnectAsync(client, Options(fromId), from);
        to.Connection = await accepting;
        await from.OpenDataLinkAsync();
        return (from, to);
    }

    private async Task OpenDataLinkAsync()
    {
        var session = await Connection.BeginSessionAsync();
        Data = await session.OpenSenderAsync($"van-data:{Id}", RouterConnection.DataAddress, SenderSettleMode.Mixed);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Data.LinkCredit == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("No credit on the data link.");
            }

            await Task.Delay(5);
        }
    }

    private static AmqpConnectionOptions Options(string id) => new()
    {
        ContainerId = id,
        IdleTimeout = null,
        Properties = new Dictionary<AmqpSymbol, object?>
        {
            [new AmqpSymbol(RouterConnection.RoleKey)] = RouterConnection.InterNodeRole,
            [new AmqpSymbol(RouterConnection.IdKey)] = id,
            [new AmqpSymbol(RouterConnection.SiteKey)] = "",
            [new AmqpSymbol(RouterConnection.CostKey)] = 1,
        },
    };

    public override void OnLinkAttached(AmqpLink link)
    {
        if (link is not ReceiverLink receiver)
        {
            return;
        }

        if (receiver.Address == RouterConnection.DataAddress)
        {
            receiver.SetReusingDeliveryHandler(d =>
            {
                Interlocked.Increment(ref _received);
                receiver.SettleAndRecycle(d, Accepted.Instance);
            });
        }
        else
        {
            receiver.SetDeliveryHandler(_ => { });
        }

        receiver.SetCredit(1000);
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await Connection.CloseAsync(cancellationToken: bound.Token);
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException)
        {
        }

        await Connection.DisposeAsync();
    }
}
