using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;

namespace Van.Fuzz;

/// <summary>One live case: a valid prefix, then mutated bytes, then the client half-closes.</summary>
/// <remarks>
/// With <paramref name="Neighbour"/> set, the client plays an inter-node peer: besides sending its own bytes it answers
/// the node's session and the node's control/data attaches (as a real neighbour's engine would), and the mutated
/// bytes go only once credit has arrived on <paramref name="CreditHandles"/> of its links and both of the node's links
/// are answered. Those answers depend on what the node sends (its channel); the script's own bytes do not.
/// </remarks>
internal sealed record LiveScript(string Stage, byte[] Prefix, bool WaitForCredit, byte[] Mutated, string? Neighbour = null, int CreditHandles = 1);

/// <summary>How a live case ended.</summary>
internal enum LiveOutcome
{
    /// <summary>The node closed the socket after the client's half-close (with or without an AMQP close).</summary>
    Closed,

    /// <summary>The node reset the socket.</summary>
    Reset,

    /// <summary>FAILURE: the node neither closed nor finished within the deadline.</summary>
    Hang,

    /// <summary>FAILURE: the node closed a connection, session or link with amqp:internal-error.</summary>
    InternalError,

    /// <summary>FAILURE: the node sent bytes that are not valid frames.</summary>
    BadServerFrame,
}

/// <summary>
/// A real node on 127.0.0.1:0: an <see cref="AmqpListener"/> whose connections are served by
/// <see cref="AmqpConnection.AcceptAsync(AmqpTransport, AmqpConnectionOptions, AmqpConnectionHandler?, CancellationToken)"/>
/// with a handler that does what a router's edge does: grants credit to every sender, scans every message with
/// <see cref="MessageReader"/> (to, reply-to, annotations), decodes it, settles it, and echoes requests sent to
/// <c>fuzz-health</c>. (Van.Core only, so the harness does not depend on the router's moving parts.)
/// Every case must end with the node closing the socket within <see cref="Deadline"/> of the client's half-close,
/// never with amqp:internal-error; AcceptAsync may fail only with <see cref="AmqpException"/> (or a transport
/// error); afterwards a fresh, well-behaved client must still get an echo through it.
/// </summary>
internal sealed class LiveTarget : ILiveNode
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15); // a node closes within milliseconds; the margin is for a stalled CI machine

    private static readonly byte[] SaslHeader = "AMQP\x03\x01\x00\x00"u8.ToArray();
    private static readonly byte[] AmqpHeader = "AMQP\x00\x01\x00\x00"u8.ToArray();

    private readonly AmqpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Handler _handler;
    private readonly ConcurrentDictionary<AmqpConnection, bool> _connections = new();
    private readonly ConcurrentDictionary<Task, bool> _serving = new();
    private readonly ConcurrentQueue<string> _acceptFailures = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _acceptFailureCount;

    private LiveTarget(AmqpListener listener)
    {
        _listener = listener;
        _handler = new Handler(this);
    }

    public CapturingLoggerFactory Logs { get; } = new();

    public int SinkAccepted => Volatile.Read(ref _handler.Accepted);

    public int SinkDecodeErrors => Volatile.Read(ref _handler.DecodeErrors);

    /// <summary>Exceptions other than <see cref="AmqpException"/> (or transport errors) out of AcceptAsync: failures.</summary>
    public IEnumerable<string> AcceptFailures => _acceptFailures;

    public int AcceptFailureCount => Volatile.Read(ref _acceptFailureCount);

    /// <summary>
    /// Waits (up to <paramref name="limit"/>) for every connection the node served to be finished, and returns how
    /// many are still held: once their sockets are closed, none should be.
    /// </summary>
    public async Task<int> ConnectionsLeftAsync(TimeSpan limit)
    {
        try
        {
            await Task.WhenAll(_serving.Keys).WaitAsync(limit);
        }
        catch (TimeoutException)
        {
        }

        return _serving.Count;
    }

    public string Name => "engine listener";

    public static Task<ILiveNode> StartAsync()
    {
        var target = new LiveTarget(AmqpListener.Start(new IPEndPoint(IPAddress.Loopback, 0)));
        target._acceptLoop = Task.Run(target.AcceptLoopAsync);
        return Task.FromResult<ILiveNode>(target);
    }

    public string Summary => $"node: {SinkAccepted:N0} messages decoded, {SinkDecodeErrors:N0} refused with decode-error";

    public Task<List<string>> ExtraChecksAsync() => Task.FromResult(new List<string>());

    public Task<Observation> RunAsync(LiveScript script) => RunAsync(Port, script);

    public Task<string?> HealthCheckAsync(string tag) => HealthCheckAsync(Port, tag);

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            AmqpTransport transport;
            try
            {
                transport = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                continue;
            }

            var serving = ServeAsync(transport);
            _serving[serving] = true;
            _ = serving.ContinueWith(t => _serving.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(AmqpTransport transport)
    {
        AmqpConnection? connection = null;
        try
        {
            var options = new AmqpConnectionOptions { ContainerId = "fuzz-node", LoggerFactory = Logs, HandshakeTimeout = TimeSpan.FromSeconds(10) };
            connection = await AmqpConnection.AcceptAsync(transport, options, _handler, _stopping.Token);
            _connections[connection] = true;
            await connection.Completion;
        }
        catch (Exception e) when (e is AmqpException or IOException or SocketException or OperationCanceledException or ObjectDisposedException or TimeoutException)
        {
            // A refused handshake: what a hostile peer should get.
        }
        catch (Exception e)
        {
            if (Interlocked.Increment(ref _acceptFailureCount) <= 10)
            {
                _acceptFailures.Enqueue($"AcceptAsync threw {e}");
            }
        }
        finally
        {
            if (connection is not null)
            {
                _connections.TryRemove(connection, out _);
                await connection.DisposeAsync();
            }

            await transport.DisposeAsync();
        }
    }

    /// <summary>What the node does with the peer's sessions and links.</summary>
    private sealed class Handler(LiveTarget owner) : AmqpConnectionHandler
    {
        public int Accepted;
        public int DecodeErrors;
        private readonly ConcurrentDictionary<string, SenderLink> _replyLinks = new(StringComparer.Ordinal);

        public override void OnLinkAttached(AmqpLink link)
        {
            switch (link)
            {
                case ReceiverLink receiver:
                    receiver.SetDeliveryHandler(d => OnDelivery(receiver, d));
                    receiver.SetCredit(250);
                    break;
                case SenderLink sender when sender.Address is { } address:
                    _replyLinks[address] = sender;
                    break;
            }
        }

        private void OnDelivery(ReceiverLink receiver, AmqpDelivery delivery)
        {
            string? replyTo = null;
            object? value = null;
            try
            {
                // The router's scan, then the full decode a service would do.
                var scan = MessageReader.Create(delivery.Payload.Span);
                _ = scan.TryGetTo(out _);
                _ = scan.TryGetMessageAnnotation("x-opt-to", out _);
                _ = scan.TryGetApplicationProperty("key", out _);
                var message = AmqpMessage.Decode(delivery.Payload.Span);
                replyTo = message.Properties?.ReplyTo;
                value = message.Value;
                Interlocked.Increment(ref Accepted);
                receiver.Accept(delivery);
            }
            catch (AmqpDecodeException e)
            {
                Interlocked.Increment(ref DecodeErrors);
                receiver.Reject(delivery, new Error(ErrorCondition.DecodeError, e.Message));
                return;
            }

            if (receiver.Address == "fuzz-health" && replyTo is not null && _replyLinks.TryGetValue(replyTo, out var replyLink))
            {
                var reply = new AmqpMessage { Properties = new Properties { To = replyTo }, Value = value }.ToArray();
                _ = replyLink.SendAsync(reply, settled: true, owner._stopping.Token);
            }
        }
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint).Port;

    // ---- Scripts ------------------------------------------------------------------------------------------------

    /// <summary>What a well-behaved peer sends before its open: the SASL header and an ANONYMOUS init (when
    /// <paramref name="sasl"/>), then the AMQP header.</summary>
    public static List<byte> Preamble(bool sasl)
    {
        var headers = new List<byte>();
        if (sasl)
        {
            headers.AddRange(SaslHeader);
            headers.AddRange(Corpus.EncodeFrame(FrameCodec.TypeSasl, 0, new SaslInit { Mechanism = new AmqpSymbol("ANONYMOUS"), InitialResponse = "fuzz"u8.ToArray() }, default));
        }

        headers.AddRange(AmqpHeader);
        return headers;
    }

    /// <summary>Builds a live case from its own random stream: which stage to break, and how.</summary>
    public static LiveScript MakeScript(Random rng, Mutator mutator, IReadOnlyList<CorpusEntry> frames, IReadOnlyList<CorpusEntry> messages, StringBuilder log)
    {
        var sasl = rng.Next(2) == 0;
        var interNode = rng.Next(10) == 0;
        var prefix = new List<byte>();
        var headers = Preamble(sasl);
        var open = Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Open
        {
            ContainerId = "fuzz-" + rng.Next(),
            MaxFrameSize = 65536,
            ChannelMax = 8,
            Properties = interNode
                ? new() { [new AmqpSymbol("van-role")] = "inter-node", [new AmqpSymbol("van-id")] = "fuzz-peer-" + rng.Next(1000) }
                : null,
        }, default);
        var begin = Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Begin { NextOutgoingId = 0, IncomingWindow = 2048, OutgoingWindow = 2048 }, default);
        var address = rng.Next(4) == 0 ? null : interNode ? "_van/data" : "fuzz-sink";
        var attach = Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Attach
        {
            Name = "fuzz-link",
            Handle = 0,
            Role = LinkRole.Sender,
            SndSettleMode = SenderSettleMode.Mixed,
            Source = new Source { Address = "fuzz-client" },
            Target = new Target { Address = address },
            InitialDeliveryCount = 0,
        }, default);

        var stage = rng.Next(10);
        switch (stage)
        {
            case 0:
                {
                    // The whole preamble, mutated as raw bytes.
                    var preamble = new CorpusEntry("live:preamble", InputKind.Value, [.. headers, .. open, .. begin]);
                    log.Append("stage=preamble ");
                    return new("preamble", [], false, mutator.Mutate(rng, preamble, log));
                }

            case 1 when sasl:
                {
                    prefix.AddRange(SaslHeader);
                    var init = PickFrame(rng, frames, "frame:sasl");
                    log.Append("stage=sasl ").Append(init.Name).Append(' ');
                    return new("sasl", [.. prefix], false, [.. mutator.Mutate(rng, init, log), .. AmqpHeader, .. open]);
                }

            case 1 or 2:
                {
                    prefix.AddRange(headers);
                    var frame = rng.Next(2) == 0 ? PickFrame(rng, frames, "frame:open") : PickFrame(rng, frames, "");
                    log.Append("stage=open ").Append(frame.Name).Append(' ');
                    return new("open", [.. prefix], false, mutator.Mutate(rng, frame, log));
                }

            case 3:
                {
                    prefix.AddRange([.. headers, .. open]);
                    var frame = rng.Next(2) == 0 ? PickFrame(rng, frames, "frame:begin") : PickFrame(rng, frames, "");
                    log.Append("stage=begin ").Append(frame.Name).Append(' ');
                    return new("begin", [.. prefix], false, mutator.Mutate(rng, frame, log));
                }

            case 4:
                {
                    prefix.AddRange([.. headers, .. open, .. begin]);
                    var frame = rng.Next(2) == 0 ? PickFrame(rng, frames, "frame:attach") : PickFrame(rng, frames, "");
                    log.Append("stage=attach ").Append(frame.Name).Append(' ');
                    return new("attach", [.. prefix], false, mutator.Mutate(rng, frame, log));
                }

            default:
                {
                    // A working link with credit, then mutated frames: mostly transfers carrying mutated messages.
                    prefix.AddRange([.. headers, .. open, .. begin, .. attach]);
                    var mutated = new List<byte>();
                    var frameCount = 1 + rng.Next(3);
                    log.Append(interNode ? "stage=link(inter-node) " : "stage=link ");
                    for (var i = 0; i < frameCount; i++)
                    {
                        if (rng.Next(3) != 0)
                        {
                            var message = messages[rng.Next(messages.Count)];
                            log.Append(message.Name).Append(' ');
                            var payload = rng.Next(8) == 0 ? message.Bytes : mutator.Mutate(rng, message, log);
                            var more = rng.Next(8) == 0;
                            var transfer = new Transfer
                            {
                                Handle = 0,
                                DeliveryId = (uint)i,
                                DeliveryTag = DeliveryTag.FromUInt64((ulong)i),
                                MessageFormat = 0,
                                Settled = rng.Next(4) == 0,
                                More = more,
                            };
                            mutated.AddRange(Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, transfer, payload));
                            if (more)
                            {
                                mutated.AddRange(Corpus.EncodeFrame(FrameCodec.TypeAmqp, 0, new Transfer { Handle = 0 }, payload));
                            }
                        }
                        else
                        {
                            var frame = PickFrame(rng, frames, "");
                            log.Append(frame.Name).Append(' ');
                            mutated.AddRange(mutator.Mutate(rng, frame, log));
                        }
                    }

                    return new(interNode ? "link-inter-node" : "link", [.. prefix], true, [.. mutated]);
                }
        }
    }

    private static CorpusEntry PickFrame(Random rng, IReadOnlyList<CorpusEntry> frames, string namePrefix)
    {
        var matching = frames.Where(f => f.Name.StartsWith(namePrefix, StringComparison.Ordinal)).ToList();
        return matching.Count == 0 ? frames[rng.Next(frames.Count)] : matching[rng.Next(matching.Count)];
    }

    // ---- Running a case -------------------------------------------------------------------------------------

    public sealed class Observation
    {
        public LiveOutcome Outcome { get; set; } = LiveOutcome.Closed;

        public string Detail { get; set; } = "";

        public bool Credit { get; set; }

        public string? CloseCondition { get; set; }
    }

    public static async Task<Observation> RunAsync(int port, LiveScript script)
    {
        var observation = new Observation();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = new CancellationTokenSource(Deadline);
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token);
            await SendAllAsync(socket, script.Prefix, deadline.Token);
            if (script.WaitForCredit)
            {
                // Wait for the node's flow granting credit on the link(s) (or for it to close on us); a neighbour
                // also answers the node's own session and links.
                var peer = new NeighbourState();
                while (!observation.Credit || peer.CreditHandles.Count < script.CreditHandles || (script.Neighbour is not null && peer.AttachesAnswered < 2))
                {
                    var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    received.AddRange(buffer.AsSpan(0, n));
                    Inspect(received, observation);
                    var answers = peer.Walk(received, script.Neighbour is not null);
                    if (answers.Count > 0)
                    {
                        await SendAllAsync(socket, [.. answers], deadline.Token);
                    }

                    if (peer.Refused)
                    {
                        break;
                    }
                }

                if (!observation.Credit && observation.Outcome == LiveOutcome.Closed && observation.CloseCondition is null)
                {
                    observation.Detail = "the node closed before granting credit";
                }
            }

            try
            {
                await SendAllAsync(socket, script.Mutated, deadline.Token);
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The node may already have closed: that is an answer too.
            }

            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (n == 0)
                {
                    break;
                }

                received.AddRange(buffer.AsSpan(0, n));
            }
        }
        catch (OperationCanceledException)
        {
            observation.Outcome = LiveOutcome.Hang;
            observation.Detail = $"no close within {Deadline.TotalSeconds:0} s (credit={observation.Credit}, {received.Count} bytes received)";
            Inspect(received, observation);
            return observation;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            observation.Outcome = LiveOutcome.Reset;
        }

        var hung = observation.Outcome;
        Inspect(received, observation);
        if (observation.Outcome == LiveOutcome.Closed)
        {
            observation.Outcome = hung;
        }

        return observation;
    }

    private static async Task SendAllAsync(Socket socket, byte[] bytes, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken);
        }
    }

    /// <summary>Reads the node's frames: credit, close conditions, internal errors, and whether they all decode.</summary>
    private static void Inspect(List<byte> received, Observation observation)
    {
        var data = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(received);
        var p = 0;
        while (p + 8 <= data.Length)
        {
            if (data.Slice(p, 4).SequenceEqual("AMQP"u8))
            {
                p += 8;
                continue;
            }

            var size = BinaryPrimitives.ReadUInt32BigEndian(data[p..]);
            if (size < 8 || size > 1 << 20)
            {
                observation.Outcome = LiveOutcome.BadServerFrame;
                observation.Detail = $"the node sent a frame size of {size}";
                return;
            }

            if (p + size > data.Length)
            {
                return;
            }

            Performative? body;
            try
            {
                body = FrameCodec.ReadFrameBody(data.Slice(p, (int)size), out _, out _, out _);
            }
            catch (AmqpDecodeException e)
            {
                observation.Outcome = LiveOutcome.BadServerFrame;
                observation.Detail = "the node sent a frame Van cannot decode: " + e.Message;
                return;
            }

            p += (int)size;
            var error = body switch
            {
                Close c => c.Error,
                End e => e.Error,
                Detach d => d.Error,
                _ => null,
            };
            if (body is Flow { Handle: not null, LinkCredit: > 0 })
            {
                observation.Credit = true;
            }

            if (body is Close close)
            {
                observation.CloseCondition = close.Error?.Condition.Value ?? "none";
            }

            if (error is not null && error.Condition == ErrorCondition.InternalError)
            {
                observation.Outcome = LiveOutcome.InternalError;
                observation.Detail = $"{body!.GetType().Name.ToLowerInvariant()} with {error.Condition}: {error.Description}";
            }
        }
    }

    // ---- Health ---------------------------------------------------------------------------------------------

    /// <summary>A fresh, well-behaved client sends a request to the echo and must get the reply; null when it did.</summary>
    public static async Task<string?> HealthCheckAsync(int port, string tag)
    {
        string? problem = null;
        var reply = await RequestAsync(port, "fuzz-health", tag, m => m.Value as string, p => problem = p);
        return reply is null ? problem ?? "no reply" : null;
    }

    /// <summary>
    /// A fresh, well-behaved client sends requests to <paramref name="address"/> (again every 2 s, within 20 s) until
    /// a reply that <paramref name="read"/> accepts (non-null) comes back; null and <paramref name="problem"/> called otherwise.
    /// </summary>
    public static async Task<string?> RequestAsync(int port, string address, string tag, Func<AmqpMessage, string?> read, Action<string> problem)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        AmqpConnection? connection = null;
        try
        {
            var transport = await AmqpConnector.ConnectAsync("127.0.0.1", port, deadline.Token);
            connection = await AmqpConnection.ConnectAsync(transport, new AmqpConnectionOptions(), deadline.Token);
            var session = await connection.BeginSessionAsync(deadline.Token);
            var replyAddress = "fuzz-reply-" + tag;
            var receiver = await session.OpenReceiverAsync("reply", replyAddress, cancellationToken: deadline.Token);
            var sender = await session.OpenSenderAsync("request", address, cancellationToken: deadline.Token);
            for (var attempt = 0; ; attempt++)
            {
                var body = $"ping {tag} {attempt}";
                var request = new AmqpMessage { Properties = new Properties { To = address, ReplyTo = replyAddress, MessageId = (ulong)attempt }, Value = body };
                var outcome = await sender.SendAsync(request.ToArray(), deadline.Token);
                if (outcome is not Accepted)
                {
                    problem($"the request to {address} was answered with {outcome?.GetType().Name ?? "no outcome"} {(outcome as Rejected)?.Error?.Description}");
                    return null;
                }

                // The reply address may take a moment to reach the node's address table: ask again until the deadline.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(2));
                try
                {
                    while (true)
                    {
                        var delivery = await receiver.ReceiveAsync(wait.Token);
                        receiver.Accept(delivery);
                        var reply = AmqpMessage.Decode(delivery.Payload.Span);
                        if (address != "fuzz-health" || reply.Value as string == body)
                        {
                            if (read(reply) is { } result)
                            {
                                return result;
                            }
                        }
                    }
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or AmqpException or IOException or SocketException or TimeoutException)
        {
            problem($"{e.GetType().Name}: {e.Message}");
            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _listener.DisposeAsync();
        await _acceptLoop;
        foreach (var connection in _connections.Keys)
        {
            await connection.DisposeAsync();
        }

        _stopping.Dispose();
    }
}
