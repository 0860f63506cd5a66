using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>Assertions about what the hostile peer reads back.</summary>
internal static class Expect
{
    /// <summary>
    /// Reads frames up to a close, checks its condition, then checks that nothing follows and the server ends the
    /// stream. Returns the close.
    /// </summary>
    public static async Task<Close> CloseThenEndAsync(RawPeer peer, AmqpSymbol condition, List<RawFrame>? skipped = null)
    {
        var close = await peer.ReadCloseAsync(skipped);
        Assert.True(close.Error is not null, $"Expected close{{{condition}}}, got a close without an error. Seen: {string.Join(" | ", peer.Transcript)}");
        Assert.Equal(condition.Value, close.Error.Condition.Value);
        await EndAsync(peer);
        return close;
    }

    /// <summary>
    /// Closes from the peer's side: sends close, expects the server's answering close without an error, then the end
    /// of the stream.
    /// </summary>
    public static async Task GracefulCloseAsync(RawPeer peer)
    {
        Assert.True(await peer.SendAsync(Frames.Amqp(new Close())));
        Assert.Null((await peer.ReadCloseAsync()).Error);
        await EndAsync(peer);
    }

    /// <summary>Checks that the server sends nothing more and ends the stream within the deadline.</summary>
    public static async Task EndAsync(RawPeer peer, TimeSpan? timeout = null)
    {
        var rest = await peer.ReadToEndAsync(timeout);
        Assert.True(rest.Length == 0, $"Bytes after the expected end: {Convert.ToHexString(rest)}");
        Assert.True(peer.EndOfStream);
    }
}
