using Van.Core.Amqp.Encoding;

namespace Van.Core.Tests.Amqp.Encoding;

public class SymbolAndComparerTests
{
    [Fact]
    public void AmqpSymbol_NonAsciiText_IsRefusedWithTheValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new AmqpSymbol("caf\u00e9"));
        Assert.Contains("caf\u00e9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSymbol_NonAsciiByte_ThrowsDecodeError()
    {
        byte[] sym8 = [0xa3, 0x02, (byte)'a', 0xe9];
        Assert.Throws<AmqpDecodeException>(() => new AmqpReader(sym8).ReadSymbol());
        Assert.Throws<AmqpDecodeException>(() => new AmqpReader(sym8).ReadObject());
    }

    [Fact]
    public void Comparer_EmptyArraysOfDifferentElementTypes_AreNotEqual()
    {
        Assert.False(AmqpValueComparer.Instance.Equals(Array.Empty<int>(), Array.Empty<string>()));
        Assert.True(AmqpValueComparer.Instance.Equals(Array.Empty<int>(), Array.Empty<int>()));
        Assert.True(AmqpValueComparer.Instance.Equals(new[] { new[] { 1 } }, new Array[] { new[] { 1 } }));
    }
}
