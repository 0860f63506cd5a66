using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
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

    // Always completes later (it waits for the reply): its state machine comes from a pool rather than the heap.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResponse> RequestRoutedAsync<TRequest, TResponse>(string address, TRequest request, VanCallOptions? options, CancellationToken cancellationToken)
    {
        var timeout = options?.Timeout ?? node.RequestTimeout;
        var started = Stopwatch.GetTimestamp();
        using var activity = StartActivity("van.request", address, options);
        PendingCall? call = null;
        var awaited = false;
        Exception? failure = null;
        try
        {
            // A cancelled call is never sent: the router delivers synchronously, so checking later would be too late.
            cancellationToken.ThrowIfCancellationRequested();
            var router = node.StartedRouter() ?? await WaitForRouterAsync(address, timeout, cancellationToken);

            var scratch = RentScratch();
            try
            {
                // Serialized first: a serializer that throws leaves no call behind. The call's one timer is its
                // deadline; the caller's token completes it directly; both end with the call.
                var payload = PayloadOf(request, scratch);
                call = node.StartCall(address, timeout, RemainingOf(timeout, started));
                Wire.Write(
                    call.Message, address, WireId.Of(call.Id), WireId.None, node.ReplyTo, options?.Subject, Payload.ContentTypeOf<TRequest>(node.Serializer), timeout,
                    payload, options?.Headers, TraceParent(activity), activity?.TraceStateString);
            }
            finally
            {
                ReturnScratch(scratch);
            }

            Send(router, address, call);
            call.CancelWith(cancellationToken);
            awaited = true;
            var reply = await call.Reply;

            // The reply is in the call's buffer, reused once the call ends: the caller gets its own copy or value.
            if (typeof(TResponse) == typeof(ReadOnlyMemory<byte>))
            {
                ReadOnlyMemory<byte> owned = reply.ToArray();
                return Unsafe.As<ReadOnlyMemory<byte>, TResponse>(ref owned);
            }

            return Payload.Read<TResponse>(node.Serializer, reply);
        }
        catch (Exception e)
        {
            failure = e;
            if (awaited && e is OperationCanceledException)
            {
                node.CancelCall(call!);
            }

            throw;
        }
        finally
        {
            if (call is not null)
            {
                node.EndCall(call, awaited);
            }

            Finish(activity, address, "request", started, failure);
        }
    }

    /// <summary>Hands the call's request to the router, which holds the call until it reports the outcome.</summary>
    private void Send(VanRouter router, string address, PendingCall call)
    {
        call.Sending();
        try
        {
            // Copies to this node's consumers of a multicast address outlive the send: they get bytes of their own.
            var message = node.Multicasts(address) ? call.Message.ToArray() : call.Message.WrittenMemory;
            VanNode.SendThen(router, message, call.OnSent);
        }
        catch
        {
            call.NotSent();
            throw;
        }
    }

    /// <summary>The node has not started yet (start-up code): wait for it within the call's timeout.</summary>
    private async Task<VanRouter> WaitForRouterAsync(string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await node.GetRouterAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new VanRequestTimeoutException(address, timeout);
        }
    }

    private static TimeSpan RemainingOf(TimeSpan timeout, long started)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return timeout;
        }

        var remaining = timeout - Stopwatch.GetElapsedTime(started);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
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
            AmqpBuffer buffer;
            var scratch = RentScratch();
            try
            {
                var payload = PayloadOf(value, scratch);
                buffer = node.RentBuffer();
                Wire.Write(
                    buffer, address, WireId.None, WireId.None, null, options?.Subject, Payload.ContentTypeOf<T>(node.Serializer), timeout,
                    payload, options?.Headers, TraceParent(activity), activity?.TraceStateString);
            }
            finally
            {
                ReturnScratch(scratch);
            }

            DeliveryState outcome;
            if (publish || node.Multicasts(address))
            {
                // Copies are delivered after the outcome: they get bytes of their own.
                var message = buffer.ToArray();
                node.ReturnBuffer(buffer);
                outcome = publish ? await router.PublishAsync(message, deadline.Token) : await router.SendAsync(message, deadline.Token);
            }
            else
            {
                // The router may resend the bytes until it reports the outcome, even when this caller stops waiting first.
                var sending = router.SendAsync(buffer.WrittenMemory, CancellationToken.None);
                try
                {
                    outcome = await sending.WaitAsync(deadline.Token);
                }
                finally
                {
                    node.ReturnBufferAfter(sending, buffer);
                }
            }

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

    private async ValueTask<DeliveryState> DeliverAsync(ChannelWriter<ReadOnlyMemory<byte>> writer, ReadOnlyMemory<byte> encoded, CancellationToken stopping)
    {
        ReadOnlyMemory<byte> body;
        try
        {
            // A copy: the channel keeps it after this returns, when the router reuses its buffer.
            body = IncomingMessage.Read(encoded, node.Strings).Body.ToArray();
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

    /// <summary>A payload's bytes: raw ones as they are, others serialized into <paramref name="scratch"/>.</summary>
    private ReadOnlySpan<byte> PayloadOf<T>(T value, AmqpBuffer scratch)
    {
        if (Payload.TryGetRaw(value, out var raw))
        {
            return raw.Span;
        }

        node.Serializer.Serialize(scratch, value);
        return scratch.WrittenSpan;
    }

    [ThreadStatic]
    private static AmqpBuffer? t_scratch;

    /// <summary>This thread's buffer to serialize a payload in before it is encoded into its message.</summary>
    private static AmqpBuffer RentScratch()
    {
        var scratch = t_scratch ?? new AmqpBuffer();
        t_scratch = null; // a serializer that calls back into Van on this thread gets a buffer of its own
        return scratch;
    }

    private static void ReturnScratch(AmqpBuffer scratch)
    {
        if (scratch.Length > MaxScratchBytes)
        {
            scratch.Dispose();
            return;
        }

        scratch.Reset();
        t_scratch = scratch;
    }

    /// <summary>A bigger scratch buffer goes back to the array pool rather than staying with its thread.</summary>
    private const int MaxScratchBytes = 64 * 1024;

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
