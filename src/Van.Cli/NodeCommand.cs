using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Van.Routing;
using Van.Routing.Internal;

namespace Van.Cli;

/// <summary><c>van node</c>: runs a standalone node until SIGINT or SIGTERM.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var id = new Option<string?>("--id") { Description = "The node's id, unique in the network." };
        var site = new Option<string?>("--site") { Description = "The node's site (default \"default\")." };
        var listen = new Option<string[]>("--listen") { Description = "HOST:PORT[,cost=N] to accept nodes and clients on (PORT 0 picks one). Repeatable." };
        var connect = new Option<string[]>("--connect") { Description = "HOST:PORT[,cost=N] of a node to connect to, retried forever. Repeatable." };
        var echo = new Option<string[]>("--echo") { Description = "Serve ADDRESS with an echo service. Repeatable." };
        var echoDelay = new Option<int>("--echo-delay") { Description = "Milliseconds each echo request is held before it is answered (default 0)." };
        var echoCapacity = new Option<int>("--echo-capacity") { Description = "Echo requests this node takes at once before others overflow elsewhere (default 64).", DefaultValueFactory = _ => 64 };
        var hello = new Option<int?>("--hello-interval") { Description = "Milliseconds between HELLOs (default 1000); a neighbour is dead after 3 missed." };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON file with id, site, listen, connect, echo, distributions, helloIntervalMs." };
        var verbose = new Option<bool>("--verbose") { Description = "Log routing events to stderr." };
        var command = new Command("node", "Run a standalone node (a hub, transit node or bridge for AMQP clients).")
        {
            id, site, listen, connect, echo, echoDelay, echoCapacity, hello, config, verbose,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            VanRouterOptions options;
            List<string> echoes;
            try
            {
                var file = result.GetValue(config) is { } f ? NodeConfig.Load(f.FullName) : new NodeConfig();
                options = new VanRouterOptions { NodeId = result.GetValue(id) ?? file.Id ?? "", Site = result.GetValue(site) ?? file.Site ?? "default" };
                foreach (var l in file.Listen.Concat(result.GetValue(listen) ?? []))
                {
                    options.Listeners.Add(VanEndpoint.Parse(l));
                }

                foreach (var c in file.Connect.Concat(result.GetValue(connect) ?? []))
                {
                    options.Connectors.Add(VanEndpoint.Parse(c));
                }

                foreach (var (prefix, distribution) in file.Distributions)
                {
                    options.Distributions[prefix] = Enum.Parse<Distribution>(distribution, ignoreCase: true);
                }

                if ((result.GetValue(hello) ?? file.HelloIntervalMs) is { } ms)
                {
                    options.HelloInterval = TimeSpan.FromMilliseconds(ms);
                }

                echoes = [.. file.Echo.Concat(result.GetValue(echo) ?? [])];
                if (options.Listeners.Count == 0 && options.Connectors.Count == 0)
                {
                    throw new FormatException("Give at least one --listen or --connect.");
                }

                options.Validate();
            }
            catch (Exception e) when (e is FormatException or ArgumentException or IOException)
            {
                await Console.Error.WriteLineAsync($"van node: {e.Message}");
                return 2;
            }

            // Logs go to stderr: stdout carries only what scripts read ("listening on ...").
            using var loggerFactory = LoggerFactory.Create(b =>
            {
                b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
                    .AddFilter(level => level >= (result.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning));
                b.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            options.LoggerFactory = loggerFactory;

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

            await using var router = new VanRouter(options);
            try
            {
                await router.StartAsync(stop.Token);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                await Console.Error.WriteLineAsync($"van node: cannot listen: {e.Message}");
                return 1;
            }

            var services = echoes.Select(a => EchoService.Add(router, a, TimeSpan.FromMilliseconds(result.GetValue(echoDelay)), result.GetValue(echoCapacity), TimeProvider.System)).ToList();
            foreach (var endpoint in router.ListenEndpoints)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"listening on {endpoint}"));
            }

            Console.Out.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGINT or SIGTERM.
            }

            foreach (var s in services)
            {
                s.Dispose();
            }

            Console.WriteLine($"node {options.NodeId} stopped");
            return 0;
        });
        return command;
    }
}
