using System.Diagnostics;
using System.Net;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Engine;
using Van.Core.Amqp.Framing;
using Van.Core.Amqp.Messaging;
using Van.Core.Transport;

namespace EngineDemo;

/// <summary>
/// Shows Van.Core's AMQP 1.0 engine talking to itself and to Apache Qpid Proton over real TCP on 127.0.0.1.
/// </summary>
internal static class Program
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task<int> Main()
    {
        using var stop = new CancellationTokenSource();
        var switchboard = new DemoSwitch();
        await using var listener = AmqpListener.Start(new IPEndPoint(IPAddress.Loopback, 0));
        var url = $"127.0.0.1:{listener.LocalEndPoint.Port}";
        Console.WriteLine($"van: node listening on {url} (AMQP 1.0, SASL ANONYMOUS)");
        var acceptLoop = AcceptLoopAsync(listener, switchboard, stop.Token);

        await VanClientAsync(url);
        await ProtonClientAsync(url);
        await VanToProtonServerAsync();

        await stop.CancelAsync();
        await acceptLoop;
        return 0;
    }

    private static async Task AcceptLoopAsync(AmqpListener listener, DemoSwitch handler, CancellationToken cancellationToken)
    {
        var connections = new List<AmqpConnection>();
        try
        {
            while (true)
            {
                var transport = await listener.AcceptAsync(cancellationToken);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        var c = await AmqpConnection.AcceptAsync(transport, new AmqpConnectionOptions { ContainerId = "van-demo-node" }, handler, cancellationToken);
                        lock (connections)
                        {
                            connections.Add(c);
                        }
                    }
                    catch (Exception e) when (e is AmqpException or OperationCanceledException or TimeoutException)
                    {
                        Console.WriteLine("van: refused a connection: " + e.Message);
                    }
                }, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }
    }

    private static async Task VanClientAsync(string url)
    {
        Console.WriteLine();
        Console.WriteLine("1. A Van client calls the 'upper' service on the node");
        var port = int.Parse(url[(url.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        await using var connection = await AmqpConnection.ConnectAsync(await AmqpConnector.ConnectAsync("127.0.0.1", port), new AmqpConnectionOptions { ContainerId = "van-client" });
        var session = await connection.BeginSessionAsync();
        var replies = await session.OpenReceiverAsync("replies", null, credit: 10, dynamic: true);
        var sender = await session.OpenSenderAsync("requests", "upper");
        Console.WriteLine($"   dynamic reply address: {replies.Address}");
        foreach (var word in new[] { "hello", "amqp" })
        {
            var request = AmqpMessage.Create(word);
            request.Properties = new Properties { MessageId = "req-" + word, ReplyTo = replies.Address };
            var watch = Stopwatch.StartNew();
            var outcome = await sender.SendAsync(request.ToArray()).WaitAsync(Deadline);
            var delivery = await replies.ReceiveAsync().AsTask().WaitAsync(Deadline);
            replies.Accept(delivery);
            var reply = AmqpMessage.Decode(delivery.Payload.Span);
            Console.WriteLine($"   upper({word}) -> {reply.Value} [{outcome?.GetType().Name}, {watch.Elapsed.TotalMilliseconds:F2} ms]");
        }

        var anon = await session.OpenSenderAsync("nowhere", "nobody");
        var missing = await anon.SendAsync(AmqpMessage.Create("anyone?").ToArray()).WaitAsync(Deadline);
        Console.WriteLine($"   a message to 'nobody' comes back at once: {missing?.GetType().Name}");
        await connection.CloseAsync();
    }

    private static async Task ProtonClientAsync(string url)
    {
        Console.WriteLine();
        Console.WriteLine("2. An Apache Qpid Proton (python) client calls the same service");
        if (!ProtonAvailable())
        {
            Console.WriteLine("   skipped: install Proton with `apt-get install python3-qpid-proton` (./test.sh does it)");
            return;
        }

        var (code, output) = await RunPythonAsync("proton_request.py", url, "upper", "from", "proton");
        Console.Write(Indent(output));
        if (code != 0)
        {
            Console.WriteLine($"   (proton exited with {code})");
        }
    }

    private static async Task VanToProtonServerAsync()
    {
        Console.WriteLine();
        Console.WriteLine("3. A Van client connects to a Proton server (proton.reactor.Container) and round-trips a message");
        if (!ProtonAvailable())
        {
            Console.WriteLine("   skipped: Proton is not installed");
            return;
        }

        var script = Path.Combine(AppContext.BaseDirectory, "proton_server.py");
        using var server = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-u", script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(Deadline) ?? "";
            var port = int.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            await using var connection = await AmqpConnection.ConnectAsync(await AmqpConnector.ConnectAsync("127.0.0.1", port), new AmqpConnectionOptions());
            Console.WriteLine($"   connected to Proton container '{connection.RemoteOpen?.ContainerId}', max-frame-size {connection.PeerMaxFrameSize}");
            var session = await connection.BeginSessionAsync();
            var sender = await session.OpenSenderAsync("to-proton", "demo-queue");
            var receiver = await session.OpenReceiverAsync("from-proton", "demo-queue", credit: 5);
            var body = new byte[200_000];
            Random.Shared.NextBytes(body);
            var outcome = await sender.SendAsync(AmqpMessage.CreateData(body).ToArray()).WaitAsync(Deadline);
            var back = await receiver.ReceiveAsync().AsTask().WaitAsync(Deadline);
            receiver.Accept(back);
            var same = AmqpMessage.Decode(back.Payload.Span).Data![0].Span.SequenceEqual(body);
            Console.WriteLine($"   sent 200,000 bytes ({outcome?.GetType().Name}), got them back {(same ? "byte-exact" : "CHANGED")}");
            await connection.CloseAsync();
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }


    private static bool ProtonAvailable()
    {
        if (!File.Exists("/usr/bin/python3"))
        {
            return false;
        }

        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import proton"]) { RedirectStandardError = true });
        p!.WaitForExit(30_000);
        return p.ExitCode == 0;
    }

    private static async Task<(int Code, string Output)> RunPythonAsync(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-u");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, script));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(Deadline);
        var output = await p.StandardOutput.ReadToEndAsync(cts.Token);
        var error = await p.StandardError.ReadToEndAsync(cts.Token);
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, output + (p.ExitCode != 0 ? error : ""));
    }

    private static string Indent(string text) =>
        string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "   " + l.TrimEnd('\r') + Environment.NewLine));
}
