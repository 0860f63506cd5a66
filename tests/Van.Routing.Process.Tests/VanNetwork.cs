using System.Text.Json;
using Xunit.Abstractions;

namespace Van.Routing.Process.Tests;

/// <summary>
/// The <c>van node</c> processes of one test, all on 127.0.0.1 with OS-chosen ports. Disposing kills every one of them
/// and writes their stderr to the test output (so a failure shows what the nodes logged).
/// </summary>
internal sealed class VanNetwork : IAsyncDisposable
{
    /// <summary>How long any single wait on a process or on the network converging may take.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly List<VanNodeProcess> _nodes = [];
    private readonly ITestOutputHelper _output;

    public VanNetwork(ITestOutputHelper output) => _output = output;

    /// <summary>Starts <c>van node --id ID --listen 127.0.0.1:0 ARGS…</c> and returns once it listens.</summary>
    public Task<VanNodeProcess> StartNodeAsync(string id, params string[] args) => StartProcessAsync(id, ["--listen", "127.0.0.1:0", .. args]);

    /// <summary>Starts <c>van node --id ID ARGS…</c> (no listener added) and returns once it listens.</summary>
    public async Task<VanNodeProcess> StartProcessAsync(string id, params string[] args)
    {
        var node = await VanNodeProcess.StartAsync(id, args, Deadline);
        lock (_nodes)
        {
            _nodes.Add(node);
        }

        return node;
    }

    /// <summary>
    /// Polls the node's status (over an AMQP client) until the condition holds; fails at the deadline showing the last
    /// status seen.
    /// </summary>
    public static async Task WaitForStatusAsync(VanNodeProcess node, string what, Func<JsonElement, bool> condition)
    {
        var started = TimeProvider.System.GetTimestamp();
        var last = "(none)";
        using var cts = new CancellationTokenSource(Deadline);
        try
        {
            await using var client = await VanTestClient.ConnectAsync(node.Port, cts.Token);
            while (true)
            {
                try
                {
                    var status = await client.StatusAsync(cts.Token);
                    last = status.ToString();
                    if (condition(status))
                    {
                        return;
                    }
                }
                catch (Van.Core.Amqp.Engine.AmqpException e)
                {
                    last = e.Message;
                }

                // Polling, not synchronization: the condition decides.
                await Task.Delay(100, cts.Token);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Node {node.Id} did not see {what} within {Deadline.TotalSeconds} s " +
                $"(waited {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s). Last status:\n{last}");
        }
    }

    /// <summary>Waits until the node's address table lists exactly these nodes (in any order) for the address.</summary>
    public static Task WaitForAddressAsync(VanNodeProcess node, string address, params string[] servedBy) =>
        WaitForStatusAsync(node, $"'{address}' served by {string.Join(", ", servedBy)}", status =>
            ServedBy(status, address).Order(StringComparer.Ordinal).SequenceEqual(servedBy.Order(StringComparer.Ordinal)));

    /// <summary>The nodes a status report lists for an address.</summary>
    public static IReadOnlyList<string> ServedBy(JsonElement status, string address) =>
        [.. status.GetProperty("addresses").EnumerateArray()
            .Where(a => a.GetProperty("address").GetString() == address)
            .SelectMany(a => a.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()!))];

    public async ValueTask DisposeAsync()
    {
        List<VanNodeProcess> nodes;
        lock (_nodes)
        {
            nodes = [.. _nodes];
        }

        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var node in nodes)
        {
            var stderr = node.Stderr;
            if (stderr.Length > 0)
            {
                _output.WriteLine($"--- node {node.Id} stderr ---\n{(stderr.Length > 6000 ? stderr[^6000..] : stderr)}");
            }
        }
    }
}
