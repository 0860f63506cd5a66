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
    /// <summary>
    /// Messages a subscription buffers before the network sees it as busy. One read off a busy socket can carry hundreds
    /// of messages, all delivered before the subscriber's loop runs: a buffer smaller than that sends the rest of the
    /// burst down the waiting path (a waiter and a thread-pool item each), which cost a third of the serving node's CPU
    /// per message at 256 in the load test's publish scenario.
    /// </summary>
    internal const int SubscriptionCapacity = 1024;

    /// <summary>Bytes of message bodies a subscription buffers: big messages fill it before its count does.</summary>
    internal const long SubscriptionMaxBytes = 16 * 1024 * 1024;

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

            StartCall(router, address, request, options, timeout, started, activity, expectsReply: true, ref call, cancellationToken);
            awaited = true;
            var reply = await call!.Reply;

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

    /// <summary>
    /// Serializes <paramref name="value"/> into a new call (a request awaiting a reply, or a send awaiting the serving
    /// node's outcome), hands it to the router and ties it to the caller's token. <paramref name="call"/> is set as soon
    /// as the call exists, so the caller's <c>finally</c> ends it whatever throws afterwards.
    /// </summary>
    private void StartCall<T>(
        VanRouter router, string address, T value, VanCallOptions? options, TimeSpan timeout, long started, Activity? activity, bool expectsReply,
        ref PendingCall? call, CancellationToken cancellationToken)
    {
        PendingCall created;
        var scratch = RentScratch();
        try
        {
            // Serialized first: a serializer that throws leaves no call behind. The call's one timer is its deadline;
            // the caller's token completes it directly; both end with the call.
            var payload = PayloadOf(value, scratch);
            var remaining = RemainingOf(timeout, started);
            call = created = expectsReply ? node.StartCall(address, timeout, remaining) : node.StartSend(address, timeout, remaining);
            Wire.Write(
                created.Message, address, expectsReply ? WireId.Of(created.Id) : WireId.None, WireId.None, expectsReply ? node.ReplyTo : null, options?.Subject,
                Payload.ContentTypeOf<T>(node.Serializer), timeout, payload, options?.Headers, TraceParent(activity), activity?.TraceStateString);
        }
        finally
        {
            ReturnScratch(scratch);
        }

        Send(router, address, created);
        created.CancelWith(cancellationToken);
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
    private Task<VanRouter> WaitForRouterAsync(string address, TimeSpan timeout, CancellationToken cancellationToken) =>
        WithinAsync(node, static (n, token) => n.GetRouterAsync(token).AsTask(), address, timeout, timeout, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> under the caller's token and the rest of the call's timeout
    /// (<paramref name="remaining"/>); running out of time is the call's timeout, naming the address.
    /// </summary>
    private static async Task<T> WithinAsync<T, TState>(
        TState state, Func<TState, CancellationToken, Task<T>> work, string address, TimeSpan timeout, TimeSpan remaining, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(remaining);
        try
        {
            return await work(state, deadline.Token);
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
        SendOneWayAsync(address, message, options, cancellationToken);

    public ValueTask PublishAsync<T>(string address, T message, VanCallOptions? options = null, CancellationToken cancellationToken = default) =>
        PublishCoreAsync(address, message, options, cancellationToken);

    /// <summary>
    /// A send, as a pooled call without a reply: its one timer is its deadline, the caller's token completes it
    /// directly, and the router reports the outcome to it (no task, linked token source or timer of its own per send).
    /// Completes when the serving node accepted the message.
    /// </summary>
    // Always completes later (it waits for the outcome): its state machine comes from a pool rather than the heap.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendOneWayAsync<T>(string address, T value, VanCallOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var timeout = options?.Timeout ?? node.RequestTimeout;
        var started = Stopwatch.GetTimestamp();
        using var activity = StartActivity("van.send", address, options);
        PendingCall? call = null;
        var awaited = false;
        Exception? failure = null;
        try
        {
            // A cancelled send is never sent: the router delivers synchronously, so checking later would be too late.
            cancellationToken.ThrowIfCancellationRequested();
            var router = node.StartedRouter() ?? await WaitForRouterAsync(address, timeout, cancellationToken);

            // The router may resend the bytes until it reports the outcome, even when this caller stops waiting
            // first: the call's buffer stays with the router's hold on the call until then.
            StartCall(router, address, value, options, timeout, started, activity, expectsReply: false, ref call, cancellationToken);
            awaited = true;
            await call!.Reply;
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            if (call is not null)
            {
                VanNode.EndSend(call, awaited);
            }

            Finish(activity, address, "send", started, failure);
        }
    }

    /// <summary>
    /// A publish: the router hands the copies out and reports the outcome before it returns, so this usually completes
    /// synchronously, with no deadline timer at all (one is armed only if the outcome is not there yet).
    /// </summary>
    private async ValueTask PublishCoreAsync<T>(string address, T value, VanCallOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var timeout = options?.Timeout ?? node.RequestTimeout;
        var started = Stopwatch.GetTimestamp();
        using var activity = StartActivity("van.publish", address, options);
        Exception? failure = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var router = node.StartedRouter() ?? await WaitForRouterAsync(address, timeout, cancellationToken);
            Task<DeliveryState>? publishing = null;
            var scratch = RentScratch();
            var buffer = node.RentBuffer();
            try
            {
                var payload = PayloadOf(value, scratch);
                Wire.Write(
                    buffer, address, WireId.None, WireId.None, null, options?.Subject, Payload.ContentTypeOf<T>(node.Serializer), timeout,
                    payload, options?.Headers, TraceParent(activity), activity?.TraceStateString);

                // The router reads the bytes only until the outcome, which it knows before it returns (copies that
                // outlive the call get bytes of their own): the buffer goes back to the pool at once.
                publishing = router.PublishAsync(buffer.WrittenMemory, CancellationToken.None);
            }
            finally
            {
                ReturnScratch(scratch);

                // Should an outcome ever come later, the router may still read the bytes: then they are the GC's.
                if (publishing is null || publishing.IsCompleted)
                {
                    node.ReturnBuffer(buffer);
                }
            }

            var outcome = publishing.IsCompleted
                ? await publishing
                : await WithinAsync(publishing, static (p, token) => p.WaitAsync(token), address, timeout, RemainingOf(timeout, started), cancellationToken);
            if (outcome is not Accepted && !(outcome is Rejected { Error.Condition: var c } && c == VanErrors.NoRoute))
            {
                throw failure = Wire.ToException(address, timeout, outcome);
            }
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            Finish(activity, address, "publish", started, failure);
        }
    }

    public async IAsyncEnumerable<T> SubscribeAsync<T>(string address, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var router = await node.GetRouterAsync(cancellationToken);
        var subscription = new Subscription(SubscriptionCapacity, SubscriptionMaxBytes);
        using var registration = router.AddLocalService(address, (encoded, stopping) => Deliver(subscription, encoded, stopping), SubscriptionCapacity);
        using var leaving = node.Leaving.Register(static s => ((Subscription)s!).Complete(), subscription);
        try
        {
            while (await subscription.Reader.WaitToReadAsync(cancellationToken))
            {
                while (subscription.TryRead(out var body))
                {
                    yield return Payload.Read<T>(node.Serializer, body);
                }
            }
        }
        finally
        {
            subscription.Complete();
        }
    }

    private ValueTask<DeliveryState> Deliver(Subscription subscription, ReadOnlyMemory<byte> encoded, CancellationToken stopping)
    {
        ReadOnlyMemory<byte> body;
        try
        {
            // A copy: the subscription keeps it after this returns, when the router reuses its buffer.
            body = IncomingMessage.Read(encoded, node.Strings).Body.ToArray();
        }
        catch (AmqpDecodeException e)
        {
            return new(Wire.Reject(ErrorCondition.DecodeError, e.Message));
        }

        return subscription.Deliver(body, stopping);
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
