using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Vectors;

/// <summary>Spot checks of the values the scenarios are about, stated explicitly rather than via the annotations.</summary>
public class VectorScenarioTests
{
    private sealed record DecodedFrame(VectorRecord Record, byte Type, ushort Channel, Performative? Body, byte[] Payload);

    private static List<DecodedFrame> Frames(string file) =>
        VectorFile.Load(file).Where(r => r.IsFrame).Select(r =>
        {
            var body = FrameCodec.ReadFrameBody(r.Bytes, out var type, out var channel, out var payload);
            return new DecodedFrame(r, type, channel, body, payload.ToArray());
        }).ToList();

    private static List<T> Bodies<T>(string file, string? direction = null)
        where T : Performative =>
        Frames(file).Where(f => direction is null || f.Record.Direction == direction).Select(f => f.Body).OfType<T>().ToList();

    [Fact]
    public void RouterOpen_InRequestReply_AdvertisesItsLimitsAndCapabilities()
    {
        var open = Bodies<Open>("01-request-reply.txt", "S>C").First();
        Assert.Equal("R1", open.ContainerId);
        Assert.Null(open.Hostname);
        Assert.Equal(16384u, open.MaxFrameSize);
        Assert.Equal((ushort)32767, open.ChannelMax);
        Assert.Equal(8000u, open.IdleTimeOut);
        Assert.Equal(["ANONYMOUS-RELAY", "qd.streaming-links"], open.OfferedCapabilities!.Select(s => s.Value));
        Assert.Equal(["ANONYMOUS-RELAY", "qd.streaming-links"], open.DesiredCapabilities!.Select(s => s.Value));
        Assert.Equal("qpid-dispatch-router", open.Properties![new AmqpSymbol("product")]);
        Assert.Equal("1.19.0", open.Properties[new AmqpSymbol("version")]);
    }

    [Fact]
    public void ProtonOpen_InRequestReply_LeavesMaxFrameSizeUnlimited()
    {
        var open = Bodies<Open>("01-request-reply.txt", "C>S").First();
        Assert.Equal(36, open.ContainerId.Length);
        Assert.Equal("127.0.0.1", open.Hostname);
        Assert.Equal(uint.MaxValue, open.MaxFrameSize);
        Assert.Equal((ushort)32767, open.ChannelMax);
        Assert.Null(open.IdleTimeOut);
    }

    [Fact]
    public void DynamicReceiver_InRequestReply_GetsTheRoutersAddress()
    {
        var attaches = Bodies<Attach>("01-request-reply.txt");
        var request = attaches.Single(a => a.Role == LinkRole.Receiver && a.Source?.Dynamic == true && a.Source.Address is null);
        var reply = attaches.Single(a => a.Name == request.Name && a.Role == LinkRole.Sender);
        Assert.True(reply.Source!.Dynamic);
        Assert.StartsWith("amqp:/_topo/0/R1/temp.", reply.Source.Address, StringComparison.Ordinal);
        Assert.Equal(new AmqpSymbol("session-end"), reply.Source.ExpiryPolicy);
        Assert.Equal(0u, request.InitialDeliveryCount);
        Assert.Equal(0ul, request.MaxMessageSize);
        Assert.Equal(SenderSettleMode.Mixed, request.SndSettleMode);
    }

    [Fact]
    public void AnonymousSender_InRequestReply_HasNullTargetAddress()
    {
        var attach = Bodies<Attach>("01-request-reply.txt", "C>S").First(a => a.Role == LinkRole.Sender && a.Target is { Address: null });
        Assert.False(attach.Target!.IsCoordinator);
        Assert.Null(attach.Source!.Address);
    }

    [Fact]
    public void ProtonDisposition_InRequestReply_IsSettledAcceptedWithExplicitNullLast()
    {
        var disposition = Bodies<Disposition>("01-request-reply.txt", "C>S").First();
        Assert.Equal(LinkRole.Receiver, disposition.Role);
        Assert.Null(disposition.Last);
        Assert.True(disposition.Settled);
        Assert.Same(Accepted.Instance, disposition.State);
        Assert.False(disposition.Batchable);
    }

    [Fact]
    public void Tags_InRequestReply_AreAsciiFromProtonAndCountersFromTheRouter()
    {
        var proton = Bodies<Transfer>("01-request-reply.txt", "C>S").First();
        var router = Bodies<Transfer>("01-request-reply.txt", "S>C").First();
        Assert.Equal(new DeliveryTag("1"u8), proton.DeliveryTag);
        Assert.Equal(0u, proton.MessageFormat);
        Assert.Null(proton.Settled);
        Assert.Equal(8, router.DeliveryTag!.Value.Length);
    }

    [Theory]
    [InlineData("C>S", 16384, 12773)] // Proton → router, 16384-byte frames (the router's limit)
    [InlineData("S>C", 8192, 4761)] // router → Proton, 8192-byte frames (Proton's limit)
    public void MultiFrameDelivery_InLargeMessage_RepeatsIdsAndSetsMoreOnAllButTheLast(string direction, int frameSize, int lastSize)
    {
        var frames = Frames("02-large-message-multiframe.txt")
            .Where(f => f.Record.Direction == direction && f.Body is Transfer).ToList();
        Assert.Equal(3, frames.Count); // the first two and the last; the middle ones are elided as a comment
        var transfers = frames.Select(f => (Transfer)f.Body!).ToList();
        Assert.All(transfers, t => Assert.Equal(transfers[0].DeliveryId, t.DeliveryId));
        Assert.All(transfers, t => Assert.Equal(transfers[0].DeliveryTag, t.DeliveryTag));
        Assert.All(transfers, t => Assert.Equal(0u, t.MessageFormat));
        Assert.True(transfers[0].More);
        Assert.True(transfers[1].More);
        Assert.False(transfers[2].More);
        Assert.Equal(frameSize, frames[0].Record.Bytes.Length);
        Assert.Equal(frameSize, frames[1].Record.Bytes.Length);
        Assert.Equal(lastSize, frames[2].Record.Bytes.Length);
        Assert.All(frames, f => Assert.True(f.Payload.Length > 0 && f.Payload.Length < f.Record.Bytes.Length));
    }

    [Fact]
    public void SenderOpen_InLargeMessage_LimitsFramesTo8192()
    {
        var opens = Bodies<Open>("02-large-message-multiframe.txt", "C>S");
        Assert.Contains(opens, o => o.MaxFrameSize == 8192);
    }

    [Fact]
    public void IdleTimeout_InHeartbeat_ClosesWithResourceLimitExceededAfterEmptyFrames()
    {
        var frames = Frames("03-heartbeat-idle-timeout.txt");
        Assert.Contains(frames, f => f.Body is null && f.Record.Bytes.Length == 8);
        Assert.Contains(Bodies<Open>("03-heartbeat-idle-timeout.txt", "C>S"), o => o.IdleTimeOut == 1000);
        var close = Bodies<Close>("03-heartbeat-idle-timeout.txt", "S>C").Single(c => c.Error is not null);
        Assert.Equal(ErrorCondition.ResourceLimitExceeded, close.Error!.Condition);
        Assert.Equal("local-idle-timeout expired", close.Error.Description);
        Assert.Null(close.Error.Info);
    }

    [Fact]
    public void Sasl_InSaslAndHeaders_ShowsPlainAcceptedAndRejected()
    {
        const string file = "04-sasl-and-headers.txt";
        Assert.Contains(Bodies<SaslMechanisms>(file), m => m.SaslServerMechanisms.Select(s => s.Value).SequenceEqual(["PLAIN", "ANONYMOUS"]));
        Assert.Contains(Bodies<SaslInit>(file), i => i.Mechanism == new AmqpSymbol("PLAIN") && i.InitialResponse!.AsSpan().SequenceEqual("\0alice\0secret"u8));
        Assert.Contains(Bodies<SaslInit>(file), i => i.Mechanism == new AmqpSymbol("ANONYMOUS") && i.InitialResponse!.AsSpan().SequenceEqual("anonymous"u8));
        Assert.Contains(Bodies<SaslOutcome>(file), o => o.Code == SaslCode.Auth);
        Assert.Contains(Bodies<SaslOutcome>(file), o => o.Code == SaslCode.Ok && o.AdditionalData is null);
        Assert.All(Frames(file).Where(f => f.Body is SaslMechanisms or SaslInit or SaslOutcome), f => Assert.Equal(FrameCodec.TypeSasl, f.Type));
    }

    [Fact]
    public void BadHeaders_InSaslAndHeaders_GetAnEmptyContainerIdOpenThenFramingError()
    {
        const string file = "04-sasl-and-headers.txt";
        Assert.Contains(Bodies<Open>(file, "S>C"), o => o.ContainerId.Length == 0);
        var errors = Bodies<Close>(file, "S>C").Where(c => c.Error is not null).Select(c => c.Error!).ToList();
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.Equal(ErrorCondition.FramingError, e.Condition));

        // qdrouterd escapes the bytes it quotes: the text holds a literal backslash-x, not control characters.
        Assert.Contains(errors, e => e.Description == @"Unknown protocol detected: 'AMQP\x00\x00\x09\x01'");
        Assert.Contains(errors, e => e.Description == @"Incompatible AMQP connection detected: 'AMQP\x00\x01\x01\x00'");
        Assert.Contains(errors, e => e.Description == @"Unknown protocol detected: 'GET / HTTP/1.1\x0d\x0aHost: x\x0d\x0a\x0d\x0a'");
    }

    [Fact]
    public void Outcomes_InOutcomesFile_DecodeEveryState()
    {
        const string file = "05-outcomes-and-message-encodings.txt";
        var states = Bodies<Disposition>(file).Select(d => d.State).ToList();
        Assert.Contains(states, s => ReferenceEquals(s, Accepted.Instance));
        Assert.Contains(states, s => ReferenceEquals(s, Released.Instance));
        // Each outcome shows twice: the receiving client's disposition, and the router's to the sender.
        var rejected = states.OfType<Rejected>().ToList();
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.Equal(new AmqpSymbol("app:bad-request"), r.Error!.Condition));
        Assert.All(rejected, r => Assert.Equal("rejected by the test receiver", r.Error!.Description));
        var modified = states.OfType<Modified>().ToList();
        Assert.Equal(2, modified.Count);
        Assert.Contains(modified, m => m.DeliveryFailed);
        Assert.Contains(modified, m => !m.DeliveryFailed);
        Assert.All(modified, m => Assert.False(m.UndeliverableHere));
    }

    [Fact]
    public void DispositionRange_InOutcomesFile_CoversFiveToSix()
    {
        // Proton's receiver merged two accepts into one range, and qdrouterd sent the sender a range too.
        var ranges = Bodies<Disposition>("05-outcomes-and-message-encodings.txt").Where(d => d.Last is not null).ToList();
        Assert.Equal(2, ranges.Count);
        Assert.All(ranges, r => Assert.Equal((5u, 6u), (r.First, r.Last!.Value)));
        Assert.All(ranges, r => Assert.Same(Accepted.Instance, r.State));
        Assert.All(ranges, r => Assert.True(r.Settled));
    }

    [Fact]
    public void Detach_InOutcomesFile_IsClosed()
    {
        var detaches = Bodies<Detach>("05-outcomes-and-message-encodings.txt");
        Assert.NotEmpty(detaches);
        Assert.All(detaches, d => Assert.True(d.Closed));
        Assert.All(detaches, d => Assert.Null(d.Error));
    }

    [Fact]
    public void ProtocolErrors_InNoRouteFile_AreInvalidFieldAndFramingError()
    {
        const string file = "06-no-route-and-protocol-errors.txt";
        var errors = Bodies<Close>(file, "S>C").Where(c => c.Error is not null).Select(c => c.Error!).ToList();
        Assert.Contains(errors, e => e.Condition == ErrorCondition.InvalidField && e.Description == "no such handle: 7");
        Assert.Contains(errors, e => e.Condition == ErrorCondition.FramingError && e.Description == "malformed frame");
        Assert.Contains(Bodies<Transfer>(file, "C>S"), t => t.Handle == 7);
        Assert.Contains(Bodies<Disposition>(file, "S>C"), d => ReferenceEquals(d.State, Released.Instance) && d.Settled);
    }

    [Fact]
    public void OversizeFrame_InNoRouteFile_IsABeginWithZeroPaddingOverTheRoutersLimit()
    {
        var oversize = Frames("06-no-route-and-protocol-errors.txt").Single(f => f.Record.Bytes.Length > 16384);
        Assert.Equal(20002, oversize.Record.Bytes.Length);
        Assert.IsType<Begin>(oversize.Body);
        Assert.Equal(19976, oversize.Payload.Length);
    }
}
