using System.Diagnostics;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Internal;

/// <summary>
/// One mapped address in this process: decodes each message, holds it to the address's concurrency (excess waits, and
/// the router sees no credit so other nodes overflow elsewhere), runs the handler under the caller's deadline, replies,
/// and turns failures into outcomes a caller can read.
/// </summary>
#pragma warning disable CA1001 // A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.
internal sealed class ServiceEndpoint(VanNode node, string address, VanRequestHandler handler, int maxConcurrency)
{
    private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
#pragma warning restore CA1001

    public async ValueTask<DeliveryState> HandleAsync(ReadOnlyMemory<byte> encoded, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        AmqpMessage message;
        try
        {
            message = AmqpMessage.Decode(encoded.Span);
        }
        catch (AmqpDecodeException e)
        {
            Log.BadMessage(node.Logger, node.NodeId, address, e.Message);
            HostingTelemetry.RecordHandled(node.NodeId, address, started, "bad-message");
            return Wire.Reject(ErrorCondition.DecodeError, $"Node '{node.NodeId}' cannot read the message for '{address}': {e.Message}");
        }

        var properties = message.Properties;
        var replyTo = properties?.ReplyTo;
        var id = properties?.MessageId;
        // The caller's deadline on a source of its own: a handler cut off by it must fail the call as a timeout.
        using var expiry = message.Header?.Ttl is { } ttl ? new CancellationTokenSource(TimeSpan.FromMilliseconds(ttl)) : null;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping, node.Abandoning, expiry?.Token ?? CancellationToken.None);

        var tracked = node.TrackRunning(replyTo, id, cancel);
        node.EnterHandler();
        using var activity = StartActivity(message);
        var outcome = "ok";
        try
        {
            try
            {
                await _slots.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                // Never started: another instance may take it when the node is leaving.
                var leaving = stopping.IsCancellationRequested || node.Abandoning.IsCancellationRequested;
                outcome = !leaving && expiry is { IsCancellationRequested: true } ? "timeout" : "cancelled";
                return leaving ? Released.Instance : Cancelled(expiry);
            }

            ReadOnlyMemory<byte> result;
            try
            {
                var request = new VanRequest(address, properties?.Subject, properties?.ContentType?.Value, Wire.BodyOf(message), Wire.HeadersOf(message), replyTo is not null, node.Serializer);
                result = await handler(request, cancel.Token);
            }
            finally
            {
                _slots.Release();
            }

            if (replyTo is not null)
            {
                _ = node.SendReplyAsync(replyTo, id, result, null);
            }

            return Accepted.Instance;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            outcome = expiry is { IsCancellationRequested: true } ? "timeout" : "cancelled";
            return Cancelled(expiry);
        }
        catch (Exception e)
        {
            outcome = "error";
            Log.HandlerFailed(node.Logger, address, node.NodeId, e);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            return Wire.Reject(Wire.ServiceError, e.Message, new() { [Wire.ExceptionType] = e.GetType().FullName });
        }
        finally
        {
            if (tracked)
            {
                node.UntrackRunning(replyTo!, id!);
            }

            node.ExitHandler();
            HostingTelemetry.RecordHandled(node.NodeId, address, started, outcome);
        }
    }

    /// <summary>
    /// The outcome of a call cut off before it replied: its deadline passed (the caller times out, whichever of the two
    /// timers fired first), or its caller cancelled or the node stopped.
    /// </summary>
    private Rejected Cancelled(CancellationTokenSource? expiry) => expiry is { IsCancellationRequested: true }
        ? Wire.Reject(Wire.DeadlinePassed, $"The call to '{address}' passed its deadline on node '{node.NodeId}'.")
        : Wire.Reject(Wire.Cancelled, $"The call to '{address}' was cancelled on node '{node.NodeId}': its caller cancelled or the node stopped.");

    private Activity? StartActivity(AmqpMessage message)
    {
        if (!HostingTelemetry.Source.HasListeners())
        {
            return null;
        }

        ActivityContext parent = default;
        if (message.ApplicationProperties?.GetValueOrDefault(Wire.TraceParent) is string traceParent)
        {
            ActivityContext.TryParse(traceParent, message.ApplicationProperties.GetValueOrDefault(Wire.TraceState) as string, isRemote: true, out parent);
        }

        var activity = HostingTelemetry.Source.StartActivity("van.handle", ActivityKind.Server, parent);
        if (activity is not null)
        {
            activity.DisplayName = $"handle {address}";
            activity.SetTag("van.node", node.NodeId);
            activity.SetTag("van.address", address);
            if (message.Properties?.Subject is { } subject)
            {
                activity.SetTag("van.operation", subject);
            }
        }

        return activity;
    }
}
