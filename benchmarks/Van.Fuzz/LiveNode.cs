using System.Buffers.Binary;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Fuzz;

/// <summary>A live node the live cases go to: the bare engine listener (<see cref="LiveTarget"/>) or a real router (<see cref="RouterTarget"/>).</summary>
internal interface ILiveNode : IAsyncDisposable
{
    string Name { get; }

    int Port { get; }

    CapturingLoggerFactory Logs { get; }

    /// <summary>Failures of the node's accept path that are not in its log.</summary>
    IEnumerable<string> AcceptFailures { get; }

    /// <summary>One line on what the node did, for the summary.</summary>
    string Summary { get; }

    Task<LiveTarget.Observation> RunAsync(LiveScript script);

    Task<string?> HealthCheckAsync(string tag);

    /// <summary>Connections the node still holds once every client has gone (waits up to <paramref name="limit"/> for them to end).</summary>
    Task<int> ConnectionsLeftAsync(TimeSpan limit);

    /// <summary>The node's own after-run checks; each string is one failure.</summary>
    Task<List<string>> ExtraChecksAsync();
}

/// <summary>
/// What a fake neighbour's engine would do with the node's frames during the valid prefix: note the channel of the
/// node's answer to our session 0 and the credit it grants there, answer the node's own session with ours on
/// channel 1, and answer each link the node attaches to us (control, then data) with a receiver of the same name.
/// Credit is never granted to the node's links: what it sends us waits, and is released when the case ends.
/// </summary>
internal sealed class NeighbourState
{
    private int _parsed;
    private int _session0 = -1;

    public HashSet<uint> CreditHandles { get; } = [];

    public int AttachesAnswered { get; private set; }

    /// <summary>The node refused the client's link or session (detach, end or close): waiting for credit is over.</summary>
    public bool Refused { get; private set; }

    /// <summary>Walks the frames received since the last call; returns the bytes to answer with.</summary>
    public List<byte> Walk(List<byte> received, bool answer)
    {
        var answers = new List<byte>();
        var data = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(received);
        while (_parsed + 8 <= data.Length)
        {
            if (data.Slice(_parsed, 4).SequenceEqual("AMQP"u8))
            {
                _parsed += 8;
                continue;
            }

            var size = BinaryPrimitives.ReadUInt32BigEndian(data[_parsed..]);
            if (size < 8 || size > 1 << 20 || _parsed + size > data.Length)
            {
                return answers;
            }

            Performative? body;
            ushort channel;
            try
            {
                body = FrameCodec.ReadFrameBody(data.Slice(_parsed, (int)size), out _, out channel, out _);
            }
            catch (AmqpDecodeException)
            {
                // Inspect reports it.
                _parsed = data.Length;
                return answers;
            }

            _parsed += (int)size;
            switch (body)
            {
                case Begin { RemoteChannel: 0 }:
                    _session0 = channel;
                    break;
                case Begin { RemoteChannel: null } when answer:
                    answers.AddRange(Corpus.EncodeFrame(FrameCodec.TypeAmqp, 1, new Begin { RemoteChannel = channel, NextOutgoingId = 0, IncomingWindow = 2048, OutgoingWindow = 2048 }, default));
                    break;
                case Close:
                case End or Detach when channel == _session0:
                    Refused = true;
                    break;
                case Flow { Handle: { } handle, LinkCredit: > 0 } when channel == _session0:
                    CreditHandles.Add(handle);
                    break;
                case Attach { Role: LinkRole.Sender } attach when answer && channel != _session0:
                    answers.AddRange(Corpus.EncodeFrame(FrameCodec.TypeAmqp, 1, new Attach
                    {
                        Name = attach.Name,
                        Handle = (uint)AttachesAnswered,
                        Role = LinkRole.Receiver,
                        SndSettleMode = attach.SndSettleMode,
                        Source = attach.Source,
                        Target = attach.Target,
                    }, default));
                    AttachesAnswered++;
                    break;
            }
        }

        return answers;
    }
}
