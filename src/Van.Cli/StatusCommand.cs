using System.CommandLine;
using System.Text;
using System.Text.Json;
using Van.Core.Amqp.Engine;
using Van.Routing;
using Van.Routing.Internal;

namespace Van.Cli;

/// <summary><c>van status</c>: prints the nodes, links (with costs) and addresses one node knows.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var connect = new ClientOptions("HOST:PORT of the node to ask.");
        var json = new Option<bool>("--json") { Description = "Print the raw JSON." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait (default 10).", DefaultValueFactory = _ => 10 };
        var command = new Command("status", "Show the network as one node sees it.") { json, timeout };
        connect.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            if (await connect.ReadOrReportAsync(result, "van status") is not { } endpoint)
            {
                return 2;
            }

            try
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bound.CancelAfter(TimeSpan.FromSeconds(result.GetValue(timeout)));
                await using var client = await CliClient.ConnectAsync(endpoint, bound.Token);
                var reply = await client.RequestAsync(VanRouter.StatusAddress, null, "status", bound.Token);
                var text = reply.Value as string ?? throw new FormatException("The status reply has no JSON body.");
                if (result.GetValue(json))
                {
                    Console.WriteLine(text);
                    return 0;
                }

                var report = JsonSerializer.Deserialize(text, StatusJsonContext.Default.StatusReport)!;
                Console.Write(Format(report));
                return 0;
            }
            catch (Exception e) when (e is FormatException or AmqpException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or JsonException or System.Security.Authentication.AuthenticationException)
            {
                await Console.Error.WriteLineAsync($"van status: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static string Format(StatusReport report)
    {
        var s = new StringBuilder();
        s.AppendLine($"node {report.Node} (site {report.Site})");
        s.AppendLine("nodes:");
        foreach (var n in report.Nodes)
        {
            var state = n.Id == report.Node ? "self" : n.Reachable ? $"cost {n.Cost} via {n.NextHop}" : "unreachable";
            s.AppendLine($"  {n.Id,-16} site {n.Site,-12} {state}");
        }

        s.AppendLine("links:");
        var seen = new HashSet<(string, string)>();
        foreach (var n in report.Nodes)
        {
            foreach (var (peer, cost) in n.Links.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                var key = string.CompareOrdinal(n.Id, peer) < 0 ? (n.Id, peer) : (peer, n.Id);
                if (seen.Add(key))
                {
                    s.AppendLine($"  {key.Item1} - {key.Item2}  cost {cost}");
                }
            }
        }

        s.AppendLine("addresses:");
        foreach (var a in report.Addresses)
        {
            s.AppendLine($"  {a.Address,-24} {string.Join(", ", a.Nodes)}");
        }

        return s.ToString();
    }
}
