using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Amqp.Framing;

/// <summary>The inline delivery tag.</summary>
public class DeliveryTagTests
{
    [Fact]
    public void Constructor_Over32Bytes_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => new DeliveryTag(new byte[33]));

    [Fact]
    public void Constructor_32Bytes_KeepsThemAll()
    {
        var bytes = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var tag = new DeliveryTag(bytes);
        Assert.Equal(32, tag.Length);
        Assert.Equal(bytes, tag.ToArray());
    }

    [Fact]
    public void Default_IsEmpty()
    {
        var tag = default(DeliveryTag);
        Assert.Equal(0, tag.Length);
        Assert.Empty(tag.ToArray());
        Assert.Equal(new DeliveryTag([]), tag);
        Assert.Equal("0x", tag.ToString());
    }

    [Fact]
    public void FromUInt64_IsEightBytesBigEndian()
    {
        Assert.Equal("0000000000000001", Convert.ToHexString(DeliveryTag.FromUInt64(1).ToArray()));
        Assert.Equal("0x0102030405060708", DeliveryTag.FromUInt64(0x0102030405060708).ToString());
    }

    [Fact]
    public void Equality_ComparesBytesAndLength()
    {
        var a = new DeliveryTag("1"u8);
        var b = new DeliveryTag([0x31]);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals((object)b));
        Assert.NotEqual(a, new DeliveryTag([0x31, 0x00]));
        Assert.NotEqual(a, new DeliveryTag([0x32]));
        Assert.False(a.Equals("1"));
    }

    [Fact]
    public void CopyTo_ReturnsLengthAndCopies()
    {
        var tag = new DeliveryTag([1, 2, 3]);
        var dest = new byte[8];
        Assert.Equal(3, tag.CopyTo(dest));
        Assert.Equal(new byte[] { 1, 2, 3, 0, 0, 0, 0, 0 }, dest);
        Assert.Throws<ArgumentException>(() => tag.CopyTo(new byte[2]));
    }

    [Fact]
    public void WriteTo_WritesVbin8()
    {
        var bytes = FramingAssert.Write(w => new DeliveryTag("1"u8).WriteTo(w));
        Assert.Equal("A00131", Convert.ToHexString(bytes));
    }

    [Fact]
    public void ToString_IsHex() => Assert.Equal("0x31", new DeliveryTag("1"u8).ToString());
}
