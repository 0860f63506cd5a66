using System.Diagnostics;
using Van.Fuzz;

// Van.Fuzz: mutation fuzzing of Van's AMQP decoders (in process) and of a live node (over TCP). See README.md.
FuzzOptions options;
try
{
    options = FuzzOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var corpus = Corpus.Build(Path.Combine(AppContext.BaseDirectory, "Vectors"));
var fuzzer = new Fuzzer(options, corpus);
Console.WriteLine($"Van.Fuzz seed {options.Seed}: corpus of {corpus.Count} valid inputs " +
    $"({corpus.Count(c => c.Kind == InputKind.Frame)} frames, {corpus.Count(c => c.Kind == InputKind.Message)} messages, {corpus.Count(c => c.Kind == InputKind.Value)} values)");

if (options.Case is { } replay)
{
    await fuzzer.ReplayAsync(replay, options.LiveTarget == "engine" ? LiveTarget.StartAsync : RouterTarget.StartAsync);
    return fuzzer.Failures == 0 ? 0 : 1;
}

fuzzer.SelfTest();
var clock = Stopwatch.StartNew();

// Warm-up: the first cases, in process only; the heap is measured after them.
var warmUp = Math.Min(options.Cases, Math.Max(1000, options.Cases / 20));
fuzzer.RunInProcess(0, warmUp, clock);
var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
var workingSetBefore = Environment.WorkingSet;

ILiveNode? live = null;
Task liveRun = Task.CompletedTask;
if (options.LiveEvery > 0)
{
    live = options.LiveTarget == "engine" ? await LiveTarget.StartAsync() : await RouterTarget.StartAsync();
    Console.WriteLine($"live node ({live.Name}) listening on 127.0.0.1:{live.Port}; every {options.LiveEvery}th case goes to it, {options.LiveConcurrency} at once");
    if (await live.HealthCheckAsync("before") is { } problem)
    {
        fuzzer.FailLive("health-before", "a good client could not get an echo before any fuzzing: " + problem);
    }

    liveRun = Task.Run(() => fuzzer.RunLiveAsync(live, options.Cases, clock));
}

fuzzer.RunInProcess(warmUp, options.Cases, clock);
await liveRun;

if (live is not null)
{
    if (await live.HealthCheckAsync("after") is { } problem)
    {
        fuzzer.FailLive("health-after", "after the live cases a good client could not get an echo: " + problem);
    }
    else
    {
        Console.WriteLine("health: a fresh client got its echo through the node before and after the live cases");
    }

    var left = await live.ConnectionsLeftAsync(LiveTarget.Deadline);
    Console.WriteLine($"{live.Summary}; {left} connections still held");
    if (left > 0)
    {
        fuzzer.FailLive("connections-held", $"{left} connections were still held by the node {LiveTarget.Deadline.TotalSeconds:0} s after every client had gone");
    }
    foreach (var failure in live.AcceptFailures)
    {
        fuzzer.FailLive("accept", failure);
    }
    foreach (var failure in await live.ExtraChecksAsync())
    {
        fuzzer.FailLive("router-state", failure);
    }

    foreach (var error in live.Logs.Errors)
    {
        fuzzer.FailLive("node-log", "the node logged an error: " + error);
    }

    if (live.Logs.ErrorCount > 0)
    {
        Console.WriteLine($"node error log entries: {live.Logs.ErrorCount:N0}");
    }
}

var elapsed = clock.Elapsed;
var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
var workingSetAfter = Environment.WorkingSet;
fuzzer.PrintSummary(elapsed);
const double Mb = 1024 * 1024;
Console.WriteLine($"memory: heap {heapBefore / Mb:0.0} MB after warm-up -> {heapAfter / Mb:0.0} MB at the end " +
    $"(growth {(heapAfter - heapBefore) / Mb:0.0} MB, bound {options.MemoryBoundBytes / Mb:0} MB); working set {workingSetBefore / Mb:0} -> {workingSetAfter / Mb:0} MB");
if (heapAfter - heapBefore > options.MemoryBoundBytes)
{
    fuzzer.FailLive("memory", $"the heap grew by {(heapAfter - heapBefore) / Mb:0.0} MB, more than the bound");
}

if (live is not null)
{
    await live.DisposeAsync();
}

Console.WriteLine(fuzzer.Failures == 0 ? "no failures" : $"{fuzzer.Failures:N0} FAILURES");
return fuzzer.Failures == 0 ? 0 : 1;
