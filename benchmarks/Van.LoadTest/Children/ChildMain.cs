using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Van.LoadTest.Baselines;
using Van.LoadTest.VanTargets;

namespace Van.LoadTest.Children;

/// <summary>
/// This program as a child process (<c>--child ROLE …</c>): starts one kind of server, prints <c>ready key=value…</c>,
/// answers <c>stats</c> on stdin with one line, and stops on <c>quit</c> or when stdin closes (its parent is gone).
/// Roles: <c>tcp</c>, <c>tcp-relay --upstream PORT</c>, <c>kestrel</c>, <c>van --id ID [--link PORT] [--serve]</c>, <c>idle [--node] --settle-ms N</c>.
/// </summary>
internal static class ChildMain
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var starting = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        switch (args.Length > 0 ? args[0] : "")
        {
            case "tcp":
            {
                await using var server = TcpEchoServer.Start();
                Say($"ready port={server.Port}");
                await ServeAsync(() => $"bad={server.Bad}");
                return 0;
            }

            case "tcp-relay":
            {
                await using var relay = TcpRelay.Start(int.Parse(Option(args, "--upstream") ?? "0", CultureInfo.InvariantCulture));
                Say($"ready port={relay.Port}");
                await ServeAsync(() => "");
                return 0;
            }

            case "kestrel":
                return await RunKestrelAsync(starting.Token);

            case "van":
            {
                var link = Option(args, "--link");
                await using var server = await VanServer.StartAsync(
                    Option(args, "--id") ?? $"loadtest-{Environment.ProcessId}",
                    link is null ? null : int.Parse(link, CultureInfo.InvariantCulture),
                    args.Contains("--serve"),
                    starting.Token);
                Say($"ready port={server.Port} id={server.NodeId}");
                await ServeAsync(server.Stats);
                return 0;
            }

            case "idle":
            {
                var settle = TimeSpan.FromMilliseconds(int.Parse(Option(args, "--settle-ms") ?? "1000", CultureInfo.InvariantCulture));
                var (host, rss) = await IdleProbe.StartAsync(args.Contains("--node"), settle, starting.Token);
                try
                {
                    Say($"ready rss={rss}");
                    await ServeAsync(() => "");
                }
                finally
                {
                    await VanHosts.StopAsync(host);
                }

                return 0;
            }

            default:
                await Console.Error.WriteLineAsync($"unknown child role: {string.Join(' ', args)}");
                return 2;
        }
    }

    /// <summary>Kept out of <see cref="RunAsync"/> so the other roles never load ASP.NET Core (the idle probe's RSS).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<int> RunKestrelAsync(CancellationToken cancellationToken)
    {
        await using var http1 = await KestrelEchoServer.StartAsync(HttpProtocols.Http1, cancellationToken);
        await using var h2c = await KestrelEchoServer.StartAsync(HttpProtocols.Http2, cancellationToken);
        Say($"ready http1={http1.Port} h2c={h2c.Port}");
        await ServeAsync(() => "");
        return 0;
    }

    private static async Task ServeAsync(Func<string> stats)
    {
        using var input = new StreamReader(Console.OpenStandardInput());
        while (await input.ReadLineAsync() is { } line && line != "quit")
        {
            if (line == "stats")
            {
                Say(string.Create(
                    CultureInfo.InvariantCulture,
                    $"stats alloc={GC.GetTotalAllocatedBytes()} workitems={ThreadPool.CompletedWorkItemCount} contentions={Monitor.LockContentionCount} gen0={GC.CollectionCount(0)} {stats()}"));
            }
        }
    }

    private static void Say(string line) => Console.Out.WriteLine(line);

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
