using System.CommandLine;
using System.Globalization;
using System.Text;
using Van.Core.Amqp.Engine;
using Van.Routing;
using Van.Routing.Internal;

namespace Van.Cli;

/// <summary><c>van request</c>: calls a service and prints each reply's body and the node that answered.</summary>
internal static class RequestCommand
{
    public static Command Create()
    {
        var connect = new ClientOptions("HOST:PORT of the node to call through.");
        var count = new Option<int>("--count") { Description = "How many requests to send, one after another (default 1).", DefaultValueFactory = _ => 1 };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each reply (default 10).", DefaultValueFactory = _ => 10 };
        var address = new Argument<string>("ADDRESS") { Description = "The service address." };
        var body = new Argument<string>("BODY") { Description = "The request body (a string)." };
        var command = new Command("request", "Call a service and print each reply.") { count, timeout, address, body };
        connect.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            if (await connect.ReadOrReportAsync(result, "van request") is not { } endpoint)
            {
                return 2;
            }

            var target = result.GetValue(address)!;
            var perRequest = TimeSpan.FromSeconds(result.GetValue(timeout));
            var failures = 0;
            CliClient client;
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                connectTimeout.CancelAfter(perRequest);
                client = await CliClient.ConnectAsync(endpoint, connectTimeout.Token);
            }
            catch (Exception e) when (e is AmqpException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                await Console.Error.WriteLineAsync($"van request: cannot connect to {endpoint}: {e.Message}");
                return 1;
            }

            await using (client)
            {
                for (var i = 0; i < result.GetValue(count); i++)
                {
                    using var each = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    each.CancelAfter(perRequest);
                    try
                    {
                        var reply = await client.RequestAsync(target, result.GetValue(body), $"{Environment.ProcessId}-{i}", each.Token);
                        var node = reply.ApplicationProperties?.GetValueOrDefault(EchoService.NodeProperty) as string ?? "?";
                        var text = reply.Value switch
                        {
                            string s => s,
                            byte[] b => Encoding.UTF8.GetString(b),
                            null => reply.BodyBytes is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : "",
                            var v => Convert.ToString(v, CultureInfo.InvariantCulture),
                        };
                        Console.WriteLine($"{text}\tvan-node={node}");
                    }
                    catch (AmqpException e)
                    {
                        failures++;
                        Console.WriteLine($"error: {e.Message}");
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        failures++;
                        Console.WriteLine($"error: no reply from '{target}' within {perRequest.TotalSeconds:0.###} s");
                    }
                }
            }

            return failures == 0 ? 0 : 1;
        });
        return command;
    }
}
