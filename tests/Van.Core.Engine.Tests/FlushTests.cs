using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests;

/// <summary>
/// When written frames leave: the reader holds back only its own frames until its burst ends, so a delivery handler
/// that blocks the reader (application code does) never holds back frames other threads write on the connection.
/// </summary>
public class FlushTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly byte[] Message = [0x00, 0x53, 0x77, 0x41];

    [Fact]
    public async Task ReaderBlockedInAHandlerAfterWriting_FramesFromOtherThreadsStillLeave()
    {
        using var gate = new ManualResetEventSlim();
        var blocking = new BlockingReceiver(gate);
        var (client, server) = await InMemoryEngineTests.ConnectPairAsync(blocking);
        try
        {
            var session = await client.BeginSessionAsync().WaitAsync(Deadline);
            var sender = await session.OpenSenderAsync("s", "q").WaitAsync(Deadline);
            await Wait.UntilAsync(() => sender.LinkCredit > 0, "first credit");

            // The server's reader accepts (writing a disposition inside its burst) and then blocks in the handler.
            _ = sender.SendAsync(Message);
            await blocking.Entered.Task.WaitAsync(Deadline);

            // Another thread grants credit on the same connection: its flow frame must reach the client now.
            blocking.Receiver!.SetCredit(500);
            await Wait.UntilAsync(() => sender.LinkCredit >= 400, "the credit granted while the reader is blocked");
        }
        finally
        {
            gate.Set();
            await client.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    /// <summary>Accepts the first delivery, then blocks its reader until the gate opens.</summary>
    private sealed class BlockingReceiver(ManualResetEventSlim gate) : AmqpConnectionHandler
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ReceiverLink? Receiver { get; private set; }

        public override void OnLinkAttached(AmqpLink link)
        {
            if (link is ReceiverLink receiver)
            {
                Receiver = receiver;
                receiver.SetDeliveryHandler(d =>
                {
                    receiver.Accept(d);
                    Entered.TrySetResult();
                    gate.Wait(Deadline * 2); // longer than the test waits: only the gate ends it
                });
                receiver.SetCredit(1, autoRefill: false);
            }
        }
    }
}
