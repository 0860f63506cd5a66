using System.Text;
using Van.Routing.Internal;

namespace Van.Routing.Tests;

public class StringTableTests
{
    [Fact]
    public void Get_SameAsciiBytesTwice_TheSameInstance_AndEveryStringReadsBackAsItself()
    {
        var table = new StringTable(size: 8); // few slots: many strings share one, and each must still come back right
        var names = Enumerable.Range(0, 200).Select(i => $"orders-{i:D4}-west").Concat(["n0", "n1", "", "a", "abcdefgh", "abcdefghi"]).ToArray();
        foreach (var name in names)
        {
            Assert.Equal(name, table.Get(Encoding.UTF8.GetBytes(name)));
            Assert.Equal(name, table.Get(name.AsSpan()));
        }

        var first = table.Get("payments"u8);
        Assert.Same(first, table.Get("payments"u8));
    }

    [Fact]
    public void Get_NonAsciiOrInvalid_DecodedEachTime_AndInvalidRefusedUnlessLenient()
    {
        var table = new StringTable();
        var bytes = Encoding.UTF8.GetBytes("café");
        Assert.Equal("café", table.Get(bytes));
        Assert.NotSame(table.Get(bytes), table.Get(bytes));

        byte[] invalid = [0x61, 0xff];
        Assert.Throws<Van.Core.Amqp.Encoding.AmqpDecodeException>(() => table.Get(invalid));
        Assert.Equal("a\uFFFD", table.Get(invalid, lenient: true));
    }
}
