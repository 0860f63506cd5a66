using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Routing;

namespace Van.Internal;

/// <summary>
/// <see cref="IVanClient"/> over the process's node: requests go out through the router (to a handler in this process
/// without a socket, or over the network), replies come back to one reply address per node, matched by correlation id.
/// </summary>
internal sealed class VanClient(VanNode node) : IVanClient
{
    /// <summary>Messages a subscription buffers before the network sees it as busy.</summary>
    internal const int SubscriptionCapacity = 256;

    public string NodeId => node.NodeId;

    public IReadOnlyList<string> NodesServing(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return node.Router?.NodesServing(address) ?? [];
    }

    public async ValueTask WaitForServiceAsync(string address, int instances = 1, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(instances, 1);
        var router = await node.GetRouterAsync(cancellationToken);
        while (router.NodesServing(address).Count < instances)
        {
            // Routing changes are rare and this is start-up code: a short poll is simpler than a change feed.
            await Task.Delay(20, cancellationToken);
        }
    }

    public ValueTask<ReadOnlyMemory<byte>> RequestAsync(string address, ReadOnlyMemory<byte> request, VanCallOptions? options = null, CancellationToken cancellationToken = default) =>
        RequestAsync<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>(address, request, options, cancellationToken);

    public ValueTask<TResponse> RequestAsync<TRequest, TResponse>(string address, TRequest request, VanCallOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);

        // A service in this process with a free slot is called directly (what "closest" routing would pick anyway);
        // traced calls take the router's path so their spans are the same wherever the service runs.
        if (node.TryGetDirect(address, out var endpoint) && !cancellationToken.IsCancellationRequested && !HostingTelemetry.Source.HasListeners() && endpoint.TryEnter())
        {
            return RequestDirectAsync<TRequest, TResponse>(endpoint, request, options, cancellationToken);
        }

        return RequestRoutedAsync<TRequest, TResponse>(address, request, options, cancellationToken);
    }

    private async ValueTask<TResponse> RequestDirectAsync<TRequest, TResponse>(ServiceEndpoint endpoint, TRequest request, VanCallOptions? options, CancellationToken cancellationToken)
    {
        var timeout = options?.Timeout ?? node.RequestTimeout;
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            var reply = await endpoint.InvokeAsync(Serialize(request), Payload.ContentTypeOf<TRequest>(node.Serializer), options, timeout, cancellationToken).ConfigureAwait(false);
            return Payload.Read<TResponse>(node.Serializer, reply);
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            HostingTelemetry.RecordCall(node.NodeId, endpoint.Address, "request", started, failure);
        }
    }

    private async ValueTask<TResponse> RequestRoutedAsync<TRequest, TResponse>(string address, TRequest request, VanCallOptions? options, CancellationToken cancellationToken)
    {
        var timeout = options?.Timeout ?? node.RequestTimeout;
        var started = Stopwatch.GetTimestamp();
        using var activity = StartActivity("van.request", address, options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        PendingCall? call = null;
        Exception? failure = null;
        try
        {
            // A cancelled call is never sent: the router delivers synchronously, so checking later would be too late.
            cancellationToken.ThrowIfCancellationRequested();
            var router = await node.GetRouterAsync(deadline.Token);
            var payload = Serialize(request);
            call = node.AddCall(address, timeout);
            var message = Wire.Encode(
                address, call.Id, null, node.ReplyTo, options?.Subject, Payload.ContentTypeOf<TRequest>(node.Serializer), timeout, payload, options?.Headers, TraceParent(activity), activity?.TraceStateString);
            _ = FailOnOutcomeAsync(router.SendAsync(message, CancellationToken.None), call);
            var reply = await call.Task.WaitAsync(deadline.Token);
            return Payload.Read<TResponse>(node.Serializer, reply);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            failure = new VanRequestTimeoutException(address, timeout);
            throw failure;
        }
        catch (Exception e)
        {
            failure = e;
            if (call is not null && e is OperationCanceledException)
            {
                node.CancelCall(call);
            }

            throw;
        }
        finally
        {
            if (call is not null)
            {
                node.RemoveCall(call);
            }

            Finish(activity, address, "request", started, failure);
        }
    }

    public ValueTask SendAsync<T>(string address, T message, VanCallOptions? options = null, CancellationToken cancellationToken = default) =>
        SendCoreAsync(address, message, options, publish: false, cancellationToken);

    public ValueTask PublishAsync<T>(string address, T message, VanCallOptions? options = null, CancellationToken cancellationToken = default) =>
        SendCoreAsync(address, message, options, publish: true, cancellationToken);

    private async ValueTask SendCoreAsync<T>(string address, T value, VanCallOptions? options, bool publish, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var timeout = options?.Timeout ?? node.RequestTimeout;
        var started = Stopwatch.GetTimestamp();
        var operation = publish ? "publish" : "send";
        using var activity = StartActivity(publish ? "van.publish" : "van.send", address, options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Exception? failure = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var router = await node.GetRouterAsync(deadline.Token);
            var message = Wire.Encode(
                address, null, null, null, options?.Subject, Payload.ContentTypeOf<T>(node.Serializer), timeout, Serialize(value), options?.Headers, TraceParent(activity), activity?.TraceStateString);
            var outcome = publish ? await router.PublishAsync(message, deadline.Token) : await router.SendAsync(message, deadline.Token);
            if (outcome is not Accepted && !(publish && outcome is Rejected { Error.Condition: var c } && c == VanErrors.NoRoute))
            {
                throw failure = Wire.ToException(address, timeout, outcome);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            failure = new VanRequestTimeoutException(address, timeout);
            throw failure;
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            Finish(activity, address, operation, started, failure);
        }
    }

    public async IAsyncEnumerable<T> SubscribeAsync<T>(string address, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var router = await node.GetRouterAsync(cancellationToken);
        var channel = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(SubscriptionCapacity) { SingleReader = true });
        using var registration = router.AddLocalService(address, (encoded, stopping) => DeliverAsync(channel.Writer, encoded, stopping), SubscriptionCapacity);
        using var leaving = node.Leaving.Register(static w => ((ChannelWriter<ReadOnlyMemory<byte>>)w!).TryComplete(), channel.Writer);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                while (channel.Reader.TryRead(out var body))
                {
                    yield return Payload.Read<T>(node.Serializer, body);
                }
            }
        }
        finally
        {
            channel.Writer.TryComplete();
        }
    }

    private static async ValueTask<DeliveryState> DeliverAsync(ChannelWriter<ReadOnlyMemory<byte>> writer, ReadOnlyMemory<byte> encoded, CancellationToken stopping)
    {
        ReadOnlyMemory<byte> body;
        try
        {
            // Decode copies the body out of the router's buffer, which is reused once this returns.
            body = Wire.BodyOf(AmqpMessage.Decode(encoded.Span));
        }
        catch (AmqpDecodeException e)
        {
            return Wire.Reject(ErrorCondition.DecodeError, e.Message);
        }

        try
        {
            await writer.WriteAsync(body, stopping);
            return Accepted.Instance;
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
            // The subscription ended while this waited for room: another consumer may take it.
            return Released.Instance;
        }
    }

    public T CreateProxy<T>(string address, VanCallOptions? options = null)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return VanProxy.Create<T>(this, address, options);
    }

    private ReadOnlyMemory<byte> Serialize<T>(T value)
    {
        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            return Unsafe.As<T, ReadOnlyMemory<byte>>(ref value);
        }

        var buffer = new ArrayBufferWriter<byte>();
        Payload.Write(node.Serializer, buffer, value);
        return buffer.WrittenMemory;
    }

    private static async Task FailOnOutcomeAsync(Task<DeliveryState> sending, PendingCall call)
    {
        try
        {
            var outcome = await sending.ConfigureAwait(false);
            if (outcome is not Accepted)
            {
                call.TrySetException(Wire.ToException(call.Address, call.Timeout, outcome));
            }
        }
        catch (Exception e)
        {
            // Nobody else observes this task: the caller waiting on the call must hear of it.
            call.TrySetException(e);
        }
    }

    private Activity? StartActivity(string name, string address, VanCallOptions? options)
    {
        if (!HostingTelemetry.Source.HasListeners())
        {
            return null;
        }

        var activity = HostingTelemetry.Source.StartActivity(name, ActivityKind.Client);
        if (activity is not null)
        {
            activity.DisplayName = $"{name["van.".Length..]} {address}";
            activity.SetTag("van.node", node.NodeId);
            activity.SetTag("van.address", address);
            if (options?.Subject is { } subject)
            {
                activity.SetTag("van.operation", subject);
            }
        }

        return activity;
    }

    /// <summary>The caller's span, or the ambient one when nobody samples Van's (so the handler still joins the trace).</summary>
    private static string? TraceParent(Activity? activity) =>
        (activity ?? Activity.Current) is { IdFormat: ActivityIdFormat.W3C } a ? a.Id : null;

    private void Finish(Activity? activity, string address, string operation, long started, Exception? failure)
    {
        if (failure is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failure.Message);
        }

        HostingTelemetry.RecordCall(node.NodeId, address, operation, started, failure);
    }
}
