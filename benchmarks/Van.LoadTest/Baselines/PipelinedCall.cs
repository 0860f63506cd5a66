using System.Buffers.Binary;
using System.Threading.Tasks.Sources;
using Van.LoadTest.Harness;

namespace Van.LoadTest.Baselines;

/// <summary>One caller of a <see cref="TcpPipelinedClient"/>: a reusable frame and a reusable completion.</summary>
internal sealed class PipelinedCall : Caller, IValueTaskSource<bool>
{
    private readonly TcpPipelinedClient _client;
    private ManualResetValueTaskSourceCore<bool> _completion;
    private int _completed;

    public PipelinedCall(TcpPipelinedClient client, int worker)
    {
        _client = client;
        Frame = new byte[TcpPipelinedClient.FrameSize];
        BinaryPrimitives.WriteInt32LittleEndian(Frame, Payloads.Size);
        Payloads.Create(worker).CopyTo(Frame.AsSpan(4));
    }

    public byte[] Frame { get; }

    public override ValueTask<bool> CallAsync(long sequence, CancellationToken cancellationToken)
    {
        _completion.Reset();
        _completed = 0;
        Payloads.Stamp(Frame.AsSpan(4), sequence);
        _client.Enqueue(this);
        return new ValueTask<bool>(this, _completion.Version);
    }

    public void Complete(bool ok)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _completion.SetResult(ok);
        }
    }

    public void Fail(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _completion.SetException(exception);
        }
    }

    public bool GetResult(short token) => _completion.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _completion.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
