using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;
using Van.Routing.Internal;

namespace Van.Routing;

public sealed partial class VanRouter
{
    private AmqpConnectionOptions ConnectionOptions(int cost) => new()
    {
        ContainerId = NodeId,
        Properties = new Dictionary<AmqpSymbol, object?>
        {
            [new AmqpSymbol(RouterConnection.RoleKey)] = RouterConnection.InterNodeRole,
            [new AmqpSymbol(RouterConnection.IdKey)] = NodeId,
            [new AmqpSymbol(RouterConnection.SiteKey)] = _options.Site,
            [new AmqpSymbol(RouterConnection.CostKey)] = cost,
        },
        TimeProvider = _time,
        LoggerFactory = _options.LoggerFactory,
    };

    private async Task AcceptLoopAsync(AmqpListener listener, int cost)
    {
        while (!_stopping.IsCancellationRequested)
        {
            AmqpTransport transport;
            try
            {
                transport = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                Log.AcceptFailed(_logger, NodeId, e);
                continue;
            }

            _ = ServeAcceptedAsync(transport, cost);
        }
    }

    private async Task ServeAcceptedAsync(AmqpTransport transport, int cost)
    {
        var rc = new RouterConnection(this, cost, $"in:{transport.RemoteEndPoint}");
        AmqpConnection connection;
        try
        {
            connection = await AmqpConnection.AcceptAsync(transport, ConnectionOptions(cost), rc, _stopping.Token);
        }
        catch (Exception e) when (e is AmqpException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Log.HandshakeFailed(_logger, NodeId, rc.Description, e.Message);
            await transport.DisposeAsync();
            return;
        }

        await RunConnectionAsync(rc, connection);
    }

    private async Task ConnectorLoopAsync(string name, Func<CancellationToken, ValueTask<AmqpTransport>> dial, int cost)
    {
        var delay = _options.ReconnectMinDelay;
        while (!_stopping.IsCancellationRequested)
        {
            var rc = new RouterConnection(this, cost, $"out:{name}");
            AmqpConnection? connection = null;
            try
            {
                var transport = await dial(_stopping.Token);
                try
                {
                    connection = await AmqpConnection.ConnectAsync(transport, ConnectionOptions(cost), rc, _stopping.Token);
                }
                catch
                {
                    await transport.DisposeAsync();
                    throw;
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is AmqpException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
            {
                Log.ConnectFailed(_logger, NodeId, name, e.Message);
            }

            if (connection is not null)
            {
                if (rc.Classify(connection) != ConnectionKind.InterNode)
                {
                    Log.NotANode(_logger, NodeId, name);
                    await CloseQuietlyAsync(connection, new Error { Condition = ErrorCondition.NotAllowed, Description = "The peer is not a Van node." });
                }
                else
                {
                    var opened = _time.GetTimestamp();
                    await RunConnectionAsync(rc, connection);
                    if (_time.GetElapsedTime(opened) > _options.ReconnectMaxDelay)
                    {
                        delay = _options.ReconnectMinDelay;
                    }
                }
            }

            // Capped exponential backoff, jittered down to half so a restarted hub is not hit by every node at once.
            var jittered = delay * (0.5 + (Random.Shared.NextDouble() * 0.5));
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
            try
            {
                await Task.Delay(jittered, _time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Runs an open connection until it closes: inter-node ones join the routing protocol.</summary>
    private async Task RunConnectionAsync(RouterConnection rc, AmqpConnection connection)
    {
        _connections[rc] = 0;
        try
        {
            if (rc.Classify(connection) == ConnectionKind.InterNode)
            {
                if (rc.PeerId == NodeId)
                {
                    Log.SameId(_logger, NodeId, rc.Description);
                    await CloseQuietlyAsync(connection, new Error { Condition = ErrorCondition.NotAllowed, Description = $"Node id '{NodeId}' is already in use by this node." });
                    return;
                }

                try
                {
                    using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    bound.CancelAfter(TimeSpan.FromSeconds(30));
                    await rc.OpenInterNodeLinksAsync(NodeId, bound.Token);
                }
                catch (Exception e) when (e is AmqpException or OperationCanceledException or IOException or ObjectDisposedException)
                {
                    Log.HandshakeFailed(_logger, NodeId, rc.Description, e.Message);
                    await CloseQuietlyAsync(connection, null);
                    return;
                }

                Log.NeighbourConnected(_logger, NodeId, rc.PeerId!, rc.Cost, rc.Description);
                Post(new ControlEvent(ControlEventKind.NeighbourUp, rc));
                await connection.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                rc.MarkClosed();
                Log.NeighbourDisconnected(_logger, NodeId, rc.PeerId!, connection.Error?.Description ?? "closed");
                Post(new ControlEvent(ControlEventKind.NeighbourDown, rc));
            }
            else
            {
                await connection.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                rc.MarkClosed();
            }
        }
        finally
        {
            _connections.TryRemove(rc, out _);
            await connection.DisposeAsync();
        }
    }

    private static async Task CloseQuietlyAsync(AmqpConnection connection, Error? error)
    {
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await connection.CloseAsync(error, bound.Token);
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Closing anyway.
        }
    }

    /// <summary>The connection a message for <paramref name="neighbourId"/> goes out on, if any is live.</summary>
    private RouterConnection? LiveConnection(string neighbourId, InFlight? excluding = null)
    {
        if (_neighbours.TryGetValue(neighbourId, out var list))
        {
            foreach (var rc in list)
            {
                if (!rc.IsClosed && rc.DataSender is { IsDetached: false } && excluding?.IsExcluded(rc) != true)
                {
                    return rc;
                }
            }
        }

        return null;
    }
}
