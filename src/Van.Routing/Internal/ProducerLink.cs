using Van.Core.Amqp.Engine;

namespace Van.Routing.Internal;

/// <summary>
/// A client's sender link. Its credit is given back only as its messages are settled downstream, so a slow
/// consumer slows the producer instead of piling messages up in the node.
/// </summary>
internal sealed class ProducerLink(ReceiverLink link, string? targetAddress, int window)
{
    private readonly int _batch = Math.Max(1, window / 4);
    private int _returned;

    public ReceiverLink Link { get; } = link;

    /// <summary>The link's target address; null for an anonymous-relay link (each message names its own).</summary>
    public string? TargetAddress { get; } = targetAddress;

    public void ReturnCredit()
    {
        if (Interlocked.Increment(ref _returned) < _batch)
        {
            return;
        }

        var n = Interlocked.Exchange(ref _returned, 0);
        if (n > 0 && !Link.IsDetached)
        {
            Link.AddCredit((uint)n);
        }
    }
}
