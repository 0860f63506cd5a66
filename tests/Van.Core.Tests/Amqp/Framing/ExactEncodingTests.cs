using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>Exact bytes: empty defaults, trailing-default dropping, and frames Proton or qdrouterd sent.</summary>
public class ExactEncodingTests
{
    private static void AssertEncodes(string expectedHex, Performative performative) =>
        Assert.Equal(expectedHex.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant(), Convert.ToHexString(FramingAssert.Encode(performative)));

    private static void AssertWrites(string expectedHex, FramingWrite write) =>
        Assert.Equal(expectedHex.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant(), Convert.ToHexString(FramingAssert.Write(write)));

    [Fact]
    public void Encode_EmptyClose_IsList0() => AssertEncodes("00 53 18 45", new Close());

    [Fact]
    public void Encode_EmptyEnd_IsList0() => AssertEncodes("00 53 17 45", new End());

    [Fact]
    public void Encode_Accepted_IsList0() => AssertWrites("00 53 24 45", w => Accepted.Instance.Encode(w));

    [Fact]
    public void Encode_Released_IsList0() => AssertWrites("00 53 26 45", w => Released.Instance.Encode(w));

    [Fact]
    public void Encode_DefaultModifiedAndRejected_AreList0()
    {
        AssertWrites("00 53 27 45", w => new Modified().Encode(w));
        AssertWrites("00 53 25 45", w => new Rejected().Encode(w));
    }

    [Fact]
    public void Encode_DefaultSourceAndTarget_AreList0()
    {
        AssertWrites("00 53 28 45", w => new Source().Encode(w));
        AssertWrites("00 53 29 45", w => new Target().Encode(w));
    }

    [Fact]
    public void Encode_Coordinator_UsesDescriptor0x30()
    {
        AssertWrites("00 53 30 45", w => new Target { IsCoordinator = true }.Encode(w));
        AssertWrites("00 53 30 c0 10 01 e0 0d 01 a3 0a 61 6d 71 70 3a 6c 6f 63 61 6c",
            w => new Target { IsCoordinator = true, Capabilities = ["amqp:local"] }.Encode(w));
    }

    [Fact]
    public void Encode_OpenWithOnlyContainerId_WritesOneField() =>
        AssertEncodes("00 53 10 c0 05 01 a1 02 52 31", new Open { ContainerId = "R1" });

    [Fact]
    public void Encode_OpenWithIdleTimeOut_WritesNullForDefaultMiddleFields() =>
        AssertEncodes("00 53 10 c0 0c 05 a1 01 61 40 40 40 70 00 00 03 e8", new Open { ContainerId = "a", IdleTimeOut = 1000 });

    [Fact]
    public void Encode_TransferWithOnlyHandle_DropsTrailingFields() =>
        AssertEncodes("00 53 14 c0 02 01 43", new Transfer());

    [Fact]
    public void Encode_DetachClosed_WritesClosedButNoError()
    {
        AssertEncodes("00 53 16 c0 03 01 52 01", new Detach { Handle = 1 });
        AssertEncodes("00 53 16 c0 04 02 52 01 41", new Detach { Handle = 1, Closed = true });
    }

    [Fact]
    public void Encode_DispositionBatchable_WritesDefaultsInTheMiddle() =>
        AssertEncodes("00 53 15 c0 07 06 42 43 40 42 40 41", new Disposition { Batchable = true });

    [Fact]
    public void Encode_AttachWithMandatoryFieldsOnly_WritesThreeFields() =>
        AssertEncodes("00 53 12 c0 06 03 a1 01 78 43 41", new Attach { Name = "x", Role = LinkRole.Receiver });

    [Fact]
    public void Encode_FlowEcho_WritesDrainFalseAsProtonDoes() =>
        AssertEncodes("00 53 13 c0 0b 0a 40 43 43 43 40 40 40 40 42 41", new Flow { Echo = true });

    // The bytes below are performatives copied from the vector files (Vectors/Data), i.e. what Proton 0.37 and
    // qdrouterd 1.19 put on the wire. Where they write no trailing defaults our encoding is identical.
    [Theory]
    [InlineData("005314c007044343a0013143")] // Proton transfer: handle, delivery-id, tag "1", message-format 0
    [InlineData("005315c009054143404100532645")] // router disposition: receiver, first 0, last null, settled, released
    [InlineData("005311c00d044043707fffffff707fffffff")] // Proton begin
    [InlineData("005311c00f0460000043707fffffff707fffffff")] // router begin reply
    [InlineData("005340c00f01e00c01a309414e4f4e594d4f5553")] // sasl-mechanisms [ANONYMOUS]
    [InlineData("005341c01702a309414e4f4e594d4f5553a009616e6f6e796d6f7573")] // sasl-init ANONYMOUS
    [InlineData("005344c003015000")] // sasl-outcome ok
    public void Encode_DecodedPeerBytes_ReproducesThemExactly(string hex)
    {
        var bytes = FramingAssert.Hex(hex);
        Assert.Equal(hex.ToUpperInvariant(), Convert.ToHexString(FramingAssert.Encode(FramingAssert.Decode(bytes))));
    }

    [Fact]
    public void Encode_RouterFlow_MatchesProtonBytesWithoutTrailingDefaults()
    {
        // qdrouterd: next-incoming-id=0, windows 2147483647, handle 0, delivery-count 0, link-credit 250,
        // available=null, drain=false. The last two are defaults, which we drop (list count 9 → 7, size 0x13 → 0x11).
        var proton = FramingAssert.Hex("005313c0130943707fffffff43707fffffff434352fa4042");
        var flow = Assert.IsType<Flow>(FramingAssert.Decode(proton));
        Assert.Equal(250u, flow.LinkCredit);
        var expected = "005313c0110743707fffffff43707fffffff434352fa";
        AssertEncodes(expected, flow);
        AssertEncodes(expected, new Flow
        {
            NextIncomingId = 0, IncomingWindow = 2147483647, NextOutgoingId = 0, OutgoingWindow = 2147483647,
            Handle = 0, DeliveryCount = 0, LinkCredit = 250,
        });
    }

    [Fact]
    public void Encode_ProtonOpen_MatchesProtonBytesWithoutTrailingNulls()
    {
        // Proton writes all ten fields, six trailing nulls included; we stop after channel-max.
        var proton = FramingAssert.Hex(
            "005310c03c0aa12430383730373639352d363131652d343661382d383232392d353539393233306631326262a1093132372e302e302e3140607fff404040404040");
        var open = Assert.IsType<Open>(FramingAssert.Decode(proton));
        Assert.Equal(uint.MaxValue, open.MaxFrameSize);
        Assert.Equal((ushort)32767, open.ChannelMax);
        var expected = Convert.ToHexString(proton)[..^12].Replace("C03C0A", "C03604", StringComparison.Ordinal);
        AssertEncodes(expected, open);
    }

    [Fact]
    public void Encode_RouterCloseWithError_MatchesRouterBytesWithoutTrailingNullInfo()
    {
        var router = FramingAssert.Hex(
            "005318c02f0100531dc02903a312616d71703a696e76616c69642d6669656c64a1116e6f20737563682068616e646c653a203740");
        var close = Assert.IsType<Close>(FramingAssert.Decode(router));
        Assert.Equal(ErrorCondition.InvalidField, close.Error!.Condition);
        Assert.Equal("no such handle: 7", close.Error.Description);
        var expected = Convert.ToHexString(router)[..^2].Replace("C02F01", "C02E01", StringComparison.Ordinal)
            .Replace("C02903", "C02802", StringComparison.Ordinal);
        AssertEncodes(expected, close);
    }

    [Fact]
    public void Decode_SymbolicDescriptor_IsAccepted()
    {
        // 00 a3 0f "amqp:close:list" 45
        var bytes = FramingAssert.Hex("00a30f616d71703a636c6f73653a6c69737445");
        Assert.IsType<Close>(FramingAssert.Decode(bytes));
    }

    [Fact]
    public void Decode_ListWidths_AllAccepted()
    {
        // The same close (error amqp:decode-error) as list8 and as list32, with a list32 error inside.
        var list8 = FramingAssert.Hex("005318c0170100531dc01101a30e616d71703a6e6f742d666f756e64");
        var list32 = FramingAssert.Hex("005318d0000000200000000100531dd00000001400000001a30e616d71703a6e6f742d666f756e64");
        var a = Assert.IsType<Close>(FramingAssert.Decode(list8));
        var b = Assert.IsType<Close>(FramingAssert.Decode(list32));
        Assert.Equal(ErrorCondition.NotFound, a.Error!.Condition);
        FramingAssert.Equal(a, b);
        Assert.Equal(list8, FramingAssert.Encode(b));
    }

    [Fact]
    public void Decode_SingleSymbolForMultipleField_GivesOneElementArray()
    {
        // sasl-mechanisms with a bare sym8 ANONYMOUS rather than an array; and a source with capabilities "topic".
        var mechanisms = Assert.IsType<SaslMechanisms>(FramingAssert.Decode(FramingAssert.Hex("005340c00c01a309414e4f4e594d4f5553")));
        Assert.Equal(["ANONYMOUS"], mechanisms.SaslServerMechanisms.Select(s => s.Value));
        var source = FramingAssert.Read(
            FramingAssert.Hex("005328c0120b40434043424040404040a305746f706963"),
            static (ref AmqpReader r) => Source.Decode(ref r));
        Assert.Equal(["topic"], source.Capabilities!.Select(s => s.Value));
    }

    [Fact]
    public void Encode_SaslMechanisms_IsAlwaysAnArrayOfSym8()
    {
        AssertEncodes("005340c00f01e00c01a309414e4f4e594d4f5553", new SaslMechanisms { SaslServerMechanisms = ["ANONYMOUS"] });
        AssertEncodes("005340c00501e00200a3", new SaslMechanisms());
    }

    [Fact]
    public void Decode_ExtraUnknownFields_AreSkipped()
    {
        // detach with handle 1, closed true, error null, and two fields from the future.
        var bytes = FramingAssert.Hex("005316c009055201 41 40 a10178 40".Replace(" ", "", StringComparison.Ordinal));
        var detach = Assert.IsType<Detach>(FramingAssert.Decode(bytes));
        Assert.Equal(1u, detach.Handle);
        Assert.True(detach.Closed);
    }

    [Fact]
    public void Decode_BooleanAsUByteEncoding_IsAccepted()
    {
        // disposition role=0x56 01 (receiver), first 3, last null, settled 0x56 01.
        var disposition = Assert.IsType<Disposition>(FramingAssert.Decode(FramingAssert.Hex("005315c008045601520340560 1".Replace(" ", "", StringComparison.Ordinal))));
        Assert.Equal(LinkRole.Receiver, disposition.Role);
        Assert.Equal(3u, disposition.First);
        Assert.Null(disposition.Last);
        Assert.True(disposition.Settled);
    }

    [Fact]
    public void Decode_ExplicitNullsForDefaults_GiveSpecDefaults()
    {
        // open: container-id "a", then explicit nulls for all nine other fields.
        var open = Assert.IsType<Open>(FramingAssert.Decode(FramingAssert.Hex("005310c00d0aa10161404040404040404040")));
        Assert.Equal(uint.MaxValue, open.MaxFrameSize);
        Assert.Equal(ushort.MaxValue, open.ChannelMax);
        Assert.Null(open.IdleTimeOut);

        // attach: name, handle, role, then null settle modes and a null incomplete-unsettled.
        var attach = Assert.IsType<Attach>(FramingAssert.Decode(FramingAssert.Hex("005312c00c09a101784342404040404040")));
        Assert.Equal(SenderSettleMode.Mixed, attach.SndSettleMode);
        Assert.Equal(ReceiverSettleMode.First, attach.RcvSettleMode);
        Assert.False(attach.IncompleteUnsettled);
    }

    [Fact]
    public void ToString_Attach_ShowsNonDefaultFields()
    {
        var text = new Attach { Name = "link", Handle = 3, Role = LinkRole.Receiver, Source = new Source { Address = "q" } }.ToString();
        Assert.Contains("attach(", text, StringComparison.Ordinal);
        Assert.Contains("name=\"link\"", text, StringComparison.Ordinal);
        Assert.Contains("handle=3", text, StringComparison.Ordinal);
        Assert.Contains("role=Receiver", text, StringComparison.Ordinal);
        Assert.Contains("address=\"q\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("snd-settle-mode", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_CloseWithError_ShowsCondition() =>
        Assert.Equal(
            "close(error=error(condition=amqp:connection:framing-error, description=\"malformed frame\"))",
            new Close(new Error(ErrorCondition.FramingError, "malformed frame")).ToString());

    [Fact]
    public void ToString_SaslInit_HidesCredentials()
    {
        var text = new SaslInit { Mechanism = "PLAIN", InitialResponse = "\0alice\0secret"u8.ToArray() }.ToString();
        Assert.DoesNotContain("736563726574", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("13 bytes", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorCondition_Constants_HaveSpecNames()
    {
        Assert.Equal("amqp:internal-error", ErrorCondition.InternalError.Value);
        Assert.Equal("amqp:connection:framing-error", ErrorCondition.FramingError.Value);
        Assert.Equal("amqp:session:window-violation", ErrorCondition.WindowViolation.Value);
        Assert.Equal("amqp:link:detach-forced", ErrorCondition.DetachForced.Value);
        Assert.Equal("amqp:link:message-size-exceeded", ErrorCondition.MessageSizeExceeded.Value);
        var all = typeof(ErrorCondition).GetFields().Select(f => ((AmqpSymbol)f.GetValue(null)!).Value).ToList();
        Assert.Equal(25, all.Distinct().Count());
        Assert.All(all, v => Assert.StartsWith("amqp:", v, StringComparison.Ordinal));
    }
}
