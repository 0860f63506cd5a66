using System.Net;
using System.Net.Security;
using Van.Core.Amqp.Engine;
using Van.Core.Transport;

namespace Van.Core.Interop.Tests;

/// <summary>A Van listener on 127.0.0.1 port 0 that accepts every connection with the given handler and options.</summary>
internal sealed class VanServer : IAsyncDisposable
{
    private readonly AmqpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<AmqpConnection> _connections = [];
    private readonly List<Task> _handshakes = [];
    private readonly List<AmqpException> _refusals = [];

    public VanServer(AmqpConnectionHandler handler, Func<AmqpConnectionOptions>? options = null, SslServerAuthenticationOptions? tls = null)
    {
        _listener = AmqpListener.Start(new IPEndPoint(IPAddress.Loopback, 0), tls);
        _acceptLoop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                AmqpTransport transport;
                try
                {
                    transport = await _listener.AcceptAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }

                var handshake = Task.Run(async () =>
                {
                    try
                    {
                        var c = await AmqpConnection.AcceptAsync(transport, options?.Invoke() ?? new AmqpConnectionOptions { ContainerId = "van-test" }, handler);
                        lock (_connections)
                        {
                            _connections.Add(c);
                        }
                    }
                    catch (AmqpException e)
                    {
                        // A refused client (bad header, failed TLS or SASL): the connection is already closed.
                        lock (_connections)
                        {
                            _refusals.Add(e);
                        }
                    }
                    catch (TimeoutException)
                    {
                    }
                });
                lock (_connections)
                {
                    _handshakes.Add(handshake);
                }
            }
        });
    }

    public int Port => _listener.LocalEndPoint.Port;

    public string Url => $"127.0.0.1:{Port}";

    public IReadOnlyList<AmqpConnection> Connections
    {
        get
        {
            lock (_connections)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>Why clients were refused in the handshake.</summary>
    public IReadOnlyList<AmqpException> Refusals
    {
        get
        {
            lock (_connections)
            {
                return [.. _refusals];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _listener.DisposeAsync();
        await _acceptLoop;
        Task[] handshakes;
        lock (_connections)
        {
            handshakes = [.. _handshakes];
        }

        await Task.WhenAll(handshakes);
        foreach (var c in Connections)
        {
            await c.DisposeAsync();
        }

        _stop.Dispose();
    }
}
