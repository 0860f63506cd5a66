using System.Buffers;
using System.IO.Pipelines;
using Van.Core.Transport;

namespace Van.Core.Tests.Transport;

public class OutputBlockPoolTests
{
    [Fact]
    public void Rent_AfterDispose_ReusesTheBlock_AndADoubleDisposeKeepsItOnce()
    {
        var pool = new OutputBlockPool(maxKept: 4);
        var first = pool.Rent();
        var memory = first.Memory;
        Assert.Equal(OutputBlockPool.BlockSize, memory.Length);

        first.Dispose();
        first.Dispose();
        Assert.Equal(1, pool.Kept);

        var again = pool.Rent(100);
        Assert.Same(first, again);
        Assert.Equal(0, pool.Kept);
        Assert.NotSame(again, pool.Rent());
    }

    [Fact]
    public void Return_BeyondTheBound_LetsTheBlockGo()
    {
        var pool = new OutputBlockPool(maxKept: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToArray();
        foreach (var block in blocks)
        {
            block.Dispose();
        }

        Assert.Equal(2, pool.Kept);
    }

    [Fact]
    public void Rent_MoreThanABlock_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutputBlockPool(1).Rent(OutputBlockPool.BlockSize + 1));

    [Fact]
    public async Task APipeOnThePool_CarriesAMessageBiggerThanManyBlocks_ByteForByte_AndGivesItsBlocksBack()
    {
        var pool = new OutputBlockPool(maxKept: 1024);
        var pipe = new Pipe(new PipeOptions(pool: pool, minimumSegmentSize: OutputBlockPool.BlockSize, pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
        var message = new byte[(5 * OutputBlockPool.BlockSize) + 123];
        new Random(3).NextBytes(message);

        var rest = message.AsSpan();
        while (!rest.IsEmpty)
        {
            var span = pipe.Writer.GetSpan();
            var n = Math.Min(span.Length, rest.Length);
            rest[..n].CopyTo(span);
            pipe.Writer.Advance(n);
            rest = rest[n..];
        }

        await pipe.Writer.FlushAsync();
        await pipe.Writer.CompleteAsync();
        var read = await pipe.Reader.ReadAtLeastAsync(message.Length);
        Assert.True(read.Buffer.ToArray().AsSpan().SequenceEqual(message));
        pipe.Reader.AdvanceTo(read.Buffer.End);
        await pipe.Reader.CompleteAsync();
        Assert.True(pool.Kept >= 6, $"{pool.Kept} blocks back in the pool");
    }
}
