using System.Collections.Concurrent;
using System.Text.Json;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Amqp.Encoding;
using Van.Core.Transport;

namespace Van.Routing.Process.Tests;

/// <summary>
/// An ordinary AMQP client of one node, over a real socket, for many concurrent requests: each goes out on one
/// anonymous sender with its own message-id and timeout; replies come back on one dynamic receiver and are matched to
/// their requests by correlation-id.
/// </summary>
internal sealed class VanTestClient : IAsyncDisposable
{
    private const string RoutingAnnotationPrefix = "x-opt-van-";

    private readonly AmqpConnection _connection;
    private readonly SenderLink _sender;
    private readonly ReceiverLink _receiver;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<AmqpMessage>> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiveLoop;
    private readonly string _prefix = Guid.NewGuid().ToString("N")[..8];
    private long _next;
    private volatile Exception? _receiveFault;

    private VanTestClient(AmqpConnection connection, SenderLink sender, ReceiverLink receiver)
    {
        _connection = connection;
        _sender = sender;
        _receiver = receiver;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public string ReplyTo => _receiver.Address!;

    public static async Task<VanTestClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var transport = await AmqpConnector.ConnectAsync("127.0.0.1", port, cancellationToken);
        var connection = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions { ContainerId = "van-process-tests-" + Guid.NewGuid().ToString("N")[..8] }, cancellationToken);
        try
        {
            var session = await connection.BeginSessionAsync(cancellationToken);
            var receiver = await session.OpenReceiverAsync("replies", null, credit: 200, dynamic: true, cancellationToken: cancellationToken);
            var sender = await session.OpenSenderAsync("requests", null, SenderSettleMode.Unsettled, cancellationToken);
            return new VanTestClient(connection, sender, receiver);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends one request and waits, up to the timeout, for its outcome and (when Accepted) its reply. Never throws for
    /// the request's own fate: the result says how it ended.
    /// </summary>
    public async Task<RequestResult> RequestAsync(string address, string body, TimeSpan timeout)
    {
        var id = $"{_prefix}-{Interlocked.Increment(ref _next)}";
        var reply = new TaskCompletionSource<AmqpMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var request = AmqpMessage.Create(body);
        request.Properties = new Properties { MessageId = id, To = address, ReplyTo = ReplyTo };
        var bytes = request.ToArray();
        using var cts = new CancellationTokenSource(timeout);
        var sentAt = TimeProvider.System.GetTimestamp();
        RequestResult Result(RequestStatus status, string? node = null, string? condition = null, string? description = null) =>
            new(id, status, node, condition, description, sentAt, TimeProvider.System.GetTimestamp());

        var phase = "no outcome";
        try
        {
            if (_receiveFault is { } fault)
            {
                return Result(RequestStatus.Error, description: "the reply receiver failed: " + fault.Message);
            }

            var outcome = await _sender.SendAsync(bytes, cts.Token);
            switch (outcome)
            {
                case Accepted:
                    break;
                case Rejected rejected:
                    return Result(RequestStatus.Rejected, condition: rejected.Error?.Condition.ToString(), description: rejected.Error?.Description);
                case Released:
                    return Result(RequestStatus.Released);
                case Modified:
                    return Result(RequestStatus.Modified);
                default:
                    return Result(RequestStatus.Error, description: "unexpected outcome " + (outcome?.ToString() ?? "null"));
            }

            phase = "accepted, no reply";
            var message = await reply.Task.WaitAsync(cts.Token);
            if (message.Value as string != body)
            {
                return Result(RequestStatus.Error, description: $"reply body '{message.Value}' is not the request's '{body}'");
            }

            if (message.MessageAnnotations?.Keys.FirstOrDefault(k => k.ToString().StartsWith(RoutingAnnotationPrefix, StringComparison.Ordinal)) is { } leaked)
            {
                return Result(RequestStatus.Error, description: $"the reply carries routing annotation '{leaked}'");
            }

            var node = message.ApplicationProperties?.GetValueOrDefault("van-node") as string;
            return Result(RequestStatus.Replied, node: node);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return Result(RequestStatus.TimedOut, description: $"{phase} within {timeout.TotalSeconds} s");
        }
        catch (AmqpException e)
        {
            return Result(RequestStatus.Error, condition: e.Error.Condition.ToString(), description: e.Message);
        }
        catch (Exception e)
        {
            return Result(RequestStatus.Error, description: $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>The node's status report (the JSON <c>van status --json</c> prints).</summary>
    public async Task<JsonElement> StatusAsync(CancellationToken cancellationToken)
    {
        var id = $"{_prefix}-status-{Interlocked.Increment(ref _next)}";
        var reply = new TaskCompletionSource<AmqpMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            var request = AmqpMessage.Create(null);
            request.Properties = new Properties { MessageId = id, To = "_van/status", ReplyTo = ReplyTo };
            var outcome = await _sender.SendAsync(request.ToArray(), cancellationToken);
            if (outcome is not Accepted)
            {
                throw new AmqpException(outcome is Rejected { Error: { } error } ? error : new Error { Condition = ErrorCondition.InternalError, Description = $"status request settled with {outcome}" });
            }

            var message = await reply.Task.WaitAsync(cancellationToken);
            using var json = JsonDocument.Parse(message.Value as string ?? "null");
            return json.RootElement.Clone();
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                var delivery = await _receiver.ReceiveAsync(_stop.Token);
                _receiver.Accept(delivery);
                AmqpMessage message;
                try
                {
                    message = AmqpMessage.Decode(delivery.Payload.Span);
                }
                catch (AmqpDecodeException)
                {
                    continue;
                }

                if (message.Properties?.CorrelationId is string id && _pending.TryGetValue(id, out var waiter))
                {
                    waiter.TrySetResult(message);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _receiveFault = e;
            foreach (var waiter in _pending.Values)
            {
                waiter.TrySetException(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _connection.CloseAsync(cancellationToken: bound.Token);
        }
        catch (Exception e) when (e is AmqpException or OperationCanceledException or IOException)
        {
            // Leaving anyway.
        }

        await _connection.DisposeAsync();
        await _receiveLoop;
        _stop.Dispose();
    }
}
