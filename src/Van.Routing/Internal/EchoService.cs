using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;

namespace Van.Routing.Internal;

/// <summary>
/// <c>van node --echo ADDRESS</c>: answers each request to its reply-to with the same body and correlation, and an
/// application property <c>van-node</c> naming the node that answered.
/// </summary>
internal static class EchoService
{
    public const string NodeProperty = "van-node";

    public static IDisposable Add(VanRouter router, string address, TimeSpan delay, int capacity, TimeProvider time)
    {
        var properties = new Dictionary<string, object?> { [NodeProperty] = router.NodeId };
        return router.AddLocalService(address, async (message, cancellationToken) =>
        {
            byte[]? reply;
            try
            {
                reply = RequestReply.Build(message.Span, properties, new MessageReader(message.Span).BodySection);
            }
            catch (AmqpDecodeException e)
            {
                return new Rejected { Error = new Error { Condition = ErrorCondition.DecodeError, Description = e.Message } };
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, cancellationToken);
            }

            if (reply is not null)
            {
                // The reply's own fate (say, the caller gave up and its reply address is gone) is not the request's.
                _ = router.SendAsync(reply, cancellationToken);
            }

            return Accepted.Instance;
        }, capacity);
    }
}
