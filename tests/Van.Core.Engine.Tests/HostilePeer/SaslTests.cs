using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;

namespace Van.Core.Engine.Tests.HostilePeer;

/// <summary>Case 10: SASL abuse (AMQP 1.0 §5.3; AMQP-NOTES §1–§2; vector 04).</summary>
public class SaslTests
{
    private static void PlainOnly(AmqpConnectionOptions o) => o.SaslServer = new SaslServerOptions
    {
        AllowAnonymous = false,
        PlainValidator = (user, password) => user == "alice" && password == "secret",
    };

    public static TheoryData<string, byte[]> BadSaslInits => new()
    {
        { "PLAIN, wrong password", [0, .. "alice"u8, 0, .. "wrong"u8] },
        { "PLAIN, unknown user", [0, .. "mallory"u8, 0, .. "secret"u8] },
        { "PLAIN, no NUL separators", [.. "alicesecret"u8] },
        { "PLAIN, invalid UTF-8", [0, 0xc3, 0x28, 0, .. "secret"u8] },
        { "PLAIN, empty response", [] },
    };

    [Theory]
    [MemberData(nameof(BadSaslInits))]
    public async Task Sasl_BadPlainCredentials_SendsAuthOutcomeThenCloses(string what, byte[] response)
    {
        await using var server = new HostileServer(PlainOnly);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(Frames.SaslHeader));
            Assert.Equal(Frames.SaslHeader, await peer.ReadHeaderAsync());
            var mechanisms = Assert.IsType<SaslMechanisms>((await peer.ReadFrameAsync()).Body);
            Assert.Equal(["PLAIN"], mechanisms.SaslServerMechanisms.Select(m => m.Value));

            Assert.True(await peer.SendAsync(Frames.Sasl(new SaslInit { Mechanism = new AmqpSymbol("PLAIN"), InitialResponse = response })), what);
            var outcome = Assert.IsType<SaslOutcome>((await peer.ReadFrameAsync()).Body);
            Assert.Equal(SaslCode.Auth, outcome.Code);
            await Expect.EndAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Connection);
        Assert.Equal(ErrorCondition.UnauthorizedAccess, Assert.IsType<AmqpException>(side.HandshakeFailure).Condition);
        await server.AssertStillServingAsync(SaslCredentials.Plain("alice", "secret"));
        await server.AssertCleanAsync();
    }

    [Theory]
    [InlineData("ANONYMOUS")]
    [InlineData("EXTERNAL")]
    [InlineData("SCRAM-SHA-256")]
    public async Task Sasl_MechanismNotOffered_SendsAuthOutcomeThenCloses(string mechanism)
    {
        await using var server = new HostileServer(PlainOnly);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(Frames.SaslHeader));
            Assert.Equal(Frames.SaslHeader, await peer.ReadHeaderAsync());
            Assert.IsType<SaslMechanisms>((await peer.ReadFrameAsync()).Body);
            Assert.True(await peer.SendAsync(Frames.Sasl(new SaslInit { Mechanism = new AmqpSymbol(mechanism), InitialResponse = "anonymous"u8.ToArray() })));
            Assert.Equal(SaslCode.Auth, Assert.IsType<SaslOutcome>((await peer.ReadFrameAsync()).Body).Code);
            await Expect.EndAsync(peer);
        }

        await server.FinishedConnectionAsync(0);
        await server.AssertStillServingAsync(SaslCredentials.Plain("alice", "secret"));
        await server.AssertCleanAsync();
    }

    [Fact]
    public async Task Sasl_AmqpHeaderWhenSaslRequired_AnswersSaslHeaderThenCloses()
    {
        await using var server = new HostileServer(o => o.SaslServer = new SaslServerOptions { Required = true });
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            // Header and open in one write, as Proton with sasl_enabled=False does (vector 04).
            Assert.True(await peer.SendAsync(Frames.Concat(Frames.AmqpHeader, Frames.Amqp(Frames.Open()))));
            Assert.Equal(Frames.SaslHeader, await peer.ReadHeaderAsync());
            await Expect.EndAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Connection);
        Assert.IsType<AmqpException>(side.HandshakeFailure);
        await server.AssertStillServingAsync();
        await server.AssertCleanAsync();
    }

    public static TheoryData<string, byte[]> NotASaslInit => new()
    {
        { "an AMQP open instead of sasl-init", Frames.Amqp(Frames.Open()) },
        { "sasl-response before sasl-init", Frames.Sasl(new SaslResponse { Response = [1, 2, 3] }) },
        { "a truncated sasl-init list", Frames.RawFrame(12, 2, 1, 0, [0x00, 0x53, 0x41, 0xc0, 0x40]) },
        { "a SASL frame of size 4", Frames.RawFrame(4, 2, 1, 0, []) },
        { "a SASL frame claiming 1 MiB", Frames.RawFrame(1024 * 1024, 2, 1, 0, [0x00, 0x53, 0x41]) },
        { "a sasl-init without mechanism", Frames.RawFrame(12, 2, 1, 0, [0x00, 0x53, 0x41, 0x45]) },
    };

    [Theory]
    [MemberData(nameof(NotASaslInit))]
    public async Task Sasl_GarbageInsteadOfSaslInit_ClosesWithoutOutcome(string what, byte[] frame)
    {
        await using var server = new HostileServer(PlainOnly);
        using (var peer = await RawPeer.ConnectAsync(server.Port))
        {
            Assert.True(await peer.SendAsync(Frames.SaslHeader));
            Assert.Equal(Frames.SaslHeader, await peer.ReadHeaderAsync());
            Assert.IsType<SaslMechanisms>((await peer.ReadFrameAsync()).Body);
            Assert.True(await peer.SendAsync(frame), what);

            // Nothing to authenticate: no outcome, just the end of the socket.
            await Expect.EndAsync(peer);
        }

        var side = await server.FinishedConnectionAsync(0);
        Assert.Null(side.Connection);
        Assert.IsType<AmqpException>(side.HandshakeFailure);
        await server.AssertStillServingAsync(SaslCredentials.Plain("alice", "secret"));
        await server.AssertCleanAsync();
    }
}
