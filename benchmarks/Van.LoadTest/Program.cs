using Van.LoadTest;
using Van.LoadTest.Children;

// The load-test harness: every scenario against Van and against baselines it runs itself, in one process tree.
//   dotnet run -c Release --project benchmarks/Van.LoadTest [-- --short] [--scenario NAME] [--json FILE]
// The same executable is its own servers: `--child ROLE` (started by the harness, never by hand).
if (args.Length > 0 && args[0] == "--child")
{
    return await ChildMain.RunAsync(args[1..]);
}

LoadTestOptions options;
try
{
    options = LoadTestOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    await Console.Error.WriteLineAsync(e.Message);
    await Console.Error.WriteLineAsync(LoadTestOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(LoadTestOptions.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcess.KillAll();
try
{
    return await Runner.RunAsync(options, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("cancelled");
    return 1;
}
finally
{
    // Normally every child has quit by now; this only matters when the run was cut short.
    ChildProcess.KillAll();
}
