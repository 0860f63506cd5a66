using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Transport;
using Van.Routing.Internal;

namespace Van.Routing;

public sealed partial class VanRouter
{
    /// <summary>
    /// Options of one connection: the node's open properties, the limits, and the SASL it offers
    /// (<paramref name="saslServer"/>, accepted connections) or uses (<paramref name="sasl"/>, outgoing ones).
    /// </summary>
    private AmqpConnectionOptions ConnectionOptions(int cost, SaslServerOptions? saslServer = null, SaslCredentials? sasl = null)
    {
        var limits = _options.Limits;
        var options = new AmqpConnectionOptions
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
            HandshakeTimeout = limits.HandshakeTimeout,
            MaxFrameSize = limits.MaxFrameSize,
            MaxMessageSize = limits.MaxMessageSize,
            ChannelMax = (ushort)(limits.MaxSessionsPerConnection - 1),
            MaxLinksPerConnection = limits.MaxLinksPerConnection,
            HandleMax = (uint)Math.Min(limits.MaxLinksPerConnection - 1, 1023),
            MaxUnsettledPerLink = limits.MaxUnsettledPerLink,
            Sasl = sasl ?? SaslCredentials.Anonymous,
        };
        if (saslServer is not null)
        {
            options.SaslServer = saslServer;
        }

        return options;
    }

    /// <summary>Binds one configured listener, with its TLS, SASL and admission rules.</summary>
    private ListenerState StartListener(VanEndpoint endpoint, System.Net.IPEndPoint bindTo)
    {
        SslServerAuthenticationOptions? tls = null;
        var tlsOptions = endpoint.UseTls ? (endpoint.Tls ?? _options.Tls)! : null;
        if (tlsOptions is not null)
        {
            tls = tlsOptions.TrustedAuthorities.Count > 0
                ? AmqpTls.ServerOptions(tlsOptions.Certificate!, tlsOptions.TrustedAuthorities, tlsOptions.RequireClientCertificate)
                : new SslServerAuthenticationOptions
                {
                    // No site CA bundle: client certificates (if asked for) are checked against the machine's store.
                    ServerCertificateContext = SslStreamCertificateContext.Create(tlsOptions.Certificate!, additionalCertificates: null, offline: true),
                    ClientCertificateRequired = tlsOptions.RequireClientCertificate,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                };
        }

        var listener = AmqpListener.Start(bindTo, tls);
        var name = (tls is null ? "amqp://" : "amqps://") + listener.LocalEndPoint;
        var nodesNeedCertificate = tls is not null;

        // ANONYMOUS as the listener says; on a plain listener that admits nodes, nodes have nothing else to offer, so
        // it stays offered and anonymous clients are refused once they show they are clients (RouterConnection).
        var offerAnonymous = endpoint.AllowAnonymous || (tls is null && (endpoint.Roles & VanConnectionRoles.InterNode) != 0);
        var sasl = new SaslServerOptions
        {
            AllowAnonymous = offerAnonymous,
            AllowExternal = tls is not null,
            PlainValidator = _options.PlainCredentialValidator,
            Required = !endpoint.AllowAnonymous,
        };
        var admission = new RouterConnection.Admission(endpoint.Roles, nodesNeedCertificate, endpoint.AllowAnonymous, name);
        Log.ListenerSecurity(_logger, NodeId, name, endpoint.Roles.ToString(), tls is not null, Mechanisms(sasl, tlsOptions?.RequireClientCertificate == true));
        return new ListenerState(listener, name, endpoint.Cost, sasl, admission);

        static string Mechanisms(SaslServerOptions sasl, bool clientCertificates) => string.Join(",", new[]
        {
            clientCertificates ? "EXTERNAL" : null,
            sasl.PlainValidator is null ? null : "PLAIN",
            sasl.AllowAnonymous ? "ANONYMOUS" : null,
        }.Where(m => m is not null));
    }

    /// <summary>The TLS a connector dials with, built once: the endpoint's or the node's settings, or the machine's trust store.</summary>
    private static SslClientAuthenticationOptions ClientTls(VanEndpoint endpoint, VanTlsOptions? tls)
    {
        var host = string.IsNullOrEmpty(tls?.ServerName) ? endpoint.Host : tls.ServerName;
        var checkHostName = tls?.CheckHostName ?? true;
        if (tls is { TrustedAuthorities.Count: > 0 })
        {
            return AmqpTls.ClientOptions(host, tls.Certificate, tls.TrustedAuthorities, checkHostName);
        }

        return new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificateContext = tls?.Certificate is { } certificate ? SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true) : null,
            RemoteCertificateValidationCallback = checkHostName ? null : static (_, _, _, errors) => (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None,
        };
    }

    private async Task AcceptLoopAsync(ListenerState state)
    {
        var max = _options.Limits.MaxConnectionsPerListener;
        while (!_stopping.IsCancellationRequested)
        {
            AmqpTransport transport;
            try
            {
                transport = await state.Listener.AcceptAsync(_stopping.Token);
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

            if (Interlocked.Increment(ref state.Connections) > max)
            {
                // Closed before TLS or AMQP: a flood of connections costs the node an accept and a close each.
                Interlocked.Decrement(ref state.Connections);
                if (!state.Full)
                {
                    state.Full = true;
                    Log.ListenerFull(_logger, NodeId, state.Name, max, transport.RemoteEndPoint?.ToString() ?? "?");
                }
                else
                {
                    Log.ListenerStillFull(_logger, NodeId, state.Name, transport.RemoteEndPoint?.ToString() ?? "?");
                }

                transport.Abort();
                await transport.DisposeAsync();
                continue;
            }

            _ = ServeListenerConnectionAsync(transport, state);
        }
    }

    private async Task ServeListenerConnectionAsync(AmqpTransport transport, ListenerState state)
    {
        try
        {
            await ServeAcceptedAsync(transport, state.Cost, state.Sasl, state.Admission, state.Name);
        }
        finally
        {
            if (Interlocked.Decrement(ref state.Connections) < _options.Limits.MaxConnectionsPerListener)
            {
                state.Full = false;
            }
        }
    }

    /// <summary>
    /// Whether this TLS refusal is news: a peer retrying with the same bad certificate (a connector backs off to a few
    /// seconds) is logged once a minute per address and reason, at debug in between, so it cannot flood the log.
    /// </summary>
    private bool FirstTlsRefusal(System.Net.EndPoint? remote, string reason)
    {
        var key = ((remote as System.Net.IPEndPoint)?.Address.ToString() ?? "?") + "|" + reason;
        var now = _time.GetTimestamp();
        lock (_tlsRefusals)
        {
            if (_tlsRefusals.TryGetValue(key, out var last) && _time.GetElapsedTime(last, now) < TlsRefusalLogInterval)
            {
                return false;
            }

            if (_tlsRefusals.Count >= 1024)
            {
                _tlsRefusals.Clear();
            }

            _tlsRefusals[key] = now;
            return true;
        }
    }

    private static readonly TimeSpan TlsRefusalLogInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, long> _tlsRefusals = new(StringComparer.Ordinal);

    private async Task ServeAcceptedAsync(AmqpTransport transport, int cost, SaslServerOptions? sasl, RouterConnection.Admission admission, string listener)
    {
        var rc = new RouterConnection(this, cost, $"in:{transport.RemoteEndPoint}", admission);
        AmqpConnection connection;
        try
        {
            connection = await AmqpConnection.AcceptAsync(transport, ConnectionOptions(cost, sasl), rc, _stopping.Token);
        }
        catch (Exception e) when (e is AuthenticationException || e.InnerException is AuthenticationException)
        {
            // The engine reports a failed TLS handshake as unauthorized-access around the AuthenticationException.
            var remote = transport.RemoteEndPoint?.ToString() ?? "?";
            var reason = (e.InnerException ?? e).Message;
            if (FirstTlsRefusal(transport.RemoteEndPoint, reason))
            {
                Log.TlsAcceptFailed(_logger, NodeId, listener, remote, reason);
            }
            else
            {
                Log.TlsAcceptFailedAgain(_logger, NodeId, listener, remote, reason);
            }

            await transport.DisposeAsync();
            return;
        }
        catch (AmqpException e) when (e.Condition == ErrorCondition.UnauthorizedAccess)
        {
            Log.AuthenticationFailed(_logger, NodeId, listener, transport.RemoteEndPoint?.ToString() ?? "?", e.Message);
            await transport.DisposeAsync();
            return;
        }
        catch (Exception e) when (e is AmqpException or IOException or TimeoutException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Log.HandshakeFailed(_logger, NodeId, rc.Description, e.Message);
            await transport.DisposeAsync();
            return;
        }

        await RunConnectionAsync(rc, connection);
    }

    private async Task ConnectorLoopAsync(string name, Func<CancellationToken, ValueTask<AmqpTransport>> dial, int cost, SaslCredentials? sasl = null)
    {
        var delay = _options.ReconnectMinDelay;
        string? lastTlsFailure = null;
        while (!_stopping.IsCancellationRequested)
        {
            var rc = new RouterConnection(this, cost, $"out:{name}", RouterConnection.Admission.Everyone);
            AmqpConnection? connection = null;
            try
            {
                var transport = await dial(_stopping.Token);
                try
                {
                    connection = await AmqpConnection.ConnectAsync(transport, ConnectionOptions(cost, sasl: sasl), rc, _stopping.Token);
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
            catch (Exception e) when (e is AuthenticationException || e.InnerException is AuthenticationException)
            {
                // Said once at warning level while it keeps failing the same way; every retry at debug level.
                if (e.Message != lastTlsFailure)
                {
                    lastTlsFailure = e.Message;
                    Log.TlsConnectFailed(_logger, NodeId, name, e.Message);
                }
                else
                {
                    Log.ConnectFailed(_logger, NodeId, name, e.Message);
                }
            }
            catch (AmqpException e) when (e.Condition == ErrorCondition.UnauthorizedAccess)
            {
                Log.ConnectRefused(_logger, NodeId, name, e.Message);
            }
            catch (AmqpException e) when (sasl == SaslCredentials.External && e.Condition.Equals(ErrorCondition.ConnectionForced))
            {
                // Over TLS 1.3 the server judges our certificate after our side of the handshake is done: a refusal
                // shows as the server hanging up during the AMQP handshake.
                var reason = "the server closed the connection during the handshake; it may have refused this node's certificate (" + e.Message + ")";
                if (reason != lastTlsFailure)
                {
                    lastTlsFailure = reason;
                    Log.TlsConnectFailed(_logger, NodeId, name, reason);
                }
                else
                {
                    Log.ConnectFailed(_logger, NodeId, name, e.Message);
                }
            }
            catch (Exception e) when (e is AmqpException or IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                Log.ConnectFailed(_logger, NodeId, name, e.Message);
            }

            if (connection is not null)
            {
                lastTlsFailure = null;
                if (rc.Classify(connection) != ConnectionKind.InterNode)
                {
                    Log.NotANode(_logger, NodeId, name);
                    await CloseQuietlyAsync(connection, new Error { Condition = ErrorCondition.NotAllowed, Description = "The peer is not a Van node." });
                    await connection.DisposeAsync();
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
            var kind = rc.Classify(connection);
            if (kind == ConnectionKind.Refused)
            {
                Log.ConnectionRefused(_logger, NodeId, rc.Description, connection.AuthenticatedUser ?? "-", rc.RefusalReason!);
                await CloseQuietlyAsync(connection, new Error { Condition = ErrorCondition.UnauthorizedAccess, Description = "Refused: " + rc.RefusalReason });
                return;
            }

            if (kind == ConnectionKind.InterNode)
            {
                if (rc.PeerId == NodeId)
                {
                    Log.SameId(_logger, NodeId, rc.Description);
                    await CloseQuietlyAsync(connection, new Error { Condition = ErrorCondition.NotAllowed, Description = $"Node id '{NodeId}' is already in use by this node." });
                    return;
                }

                if (connection.SaslMechanism == RouterConnection.ExternalMechanism || connection.RemoteCertificate is not null)
                {
                    Log.NodeAuthenticated(_logger, NodeId, rc.PeerId!, connection.RemoteCertificate?.Subject ?? connection.AuthenticatedUser ?? "-", connection.SaslMechanism ?? "none", rc.Description);
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

    /// <summary>One bound listener: its admission rules and how many connections it holds.</summary>
    private sealed class ListenerState(AmqpListener listener, string name, int cost, SaslServerOptions sasl, RouterConnection.Admission admission)
    {
        /// <summary>Connections held, counting those still in their handshake (Interlocked).</summary>
        public int Connections;

        /// <summary>Whether a connection was refused since the listener was last under its limit (for logging once).</summary>
        public volatile bool Full;

        public AmqpListener Listener { get; } = listener;

        public string Name { get; } = name;

        public int Cost { get; } = cost;

        public SaslServerOptions Sasl { get; } = sasl;

        public RouterConnection.Admission Admission { get; } = admission;
    }
}
