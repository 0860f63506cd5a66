using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Van.Core.Amqp.Encoding;

namespace Van.Fuzz;

/// <summary>
/// Runs the cases: each one is a corpus entry mutated by its own seeded <see cref="Random"/>, fed to every in-process
/// target; every K-th case is also played against a live node. Counts outcomes, collects failures, watches for hangs
/// and memory growth.
/// </summary>
internal sealed class Fuzzer
{
    /// <summary>One in-process case taking longer than this is reported as a hang.</summary>
    public static readonly TimeSpan CaseHangLimit = TimeSpan.FromSeconds(10); // far above any real case (ms), so a stalled CI machine is not a "hang"

    private const int LiveSalt = 0x5a17e;
    private const int FailuresPrinted = 25;

    private readonly FuzzOptions _options;
    private readonly List<CorpusEntry> _corpus;
    private readonly List<CorpusEntry> _frames;
    private readonly List<CorpusEntry> _messages;
    private readonly List<CorpusEntry> _values;
    private readonly Mutator _mutator;
    private readonly long[,] _counts = new long[DecodeTargets.Count, 3]; // accepted, decode error, failure
    private readonly ConcurrentDictionary<string, int> _failureSignatures = new();
    private readonly ConcurrentQueue<string> _failureReports = new();
    private readonly ConcurrentDictionary<string, long> _liveCounts = new();
    private readonly ConcurrentDictionary<long, string> _liveInFlight = new();
    private long _failures;
    private long _casesRun;
    private long _liveRun;
    private long _next;
    private Stopwatch _clock = new();

    public Fuzzer(FuzzOptions options, List<CorpusEntry> corpus)
    {
        _options = options;
        _corpus = corpus;
        _frames = [.. corpus.Where(c => c.Kind == InputKind.Frame)];
        _messages = [.. corpus.Where(c => c.Kind == InputKind.Message)];
        _values = [.. corpus.Where(c => c.Kind == InputKind.Value)];
        _mutator = new Mutator(corpus);
    }

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>splitmix64 of (seed, case): case N's random stream, whatever else runs.</summary>
    public static int CaseSeed(int seed, long index)
    {
        var z = ((ulong)(uint)seed << 32) ^ (ulong)index;
        z += 0x9e3779b97f4a7c15;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        z ^= z >> 31;
        return (int)z;
    }

    /// <summary>Builds case <paramref name="index"/>'s input.</summary>
    public (CorpusEntry Entry, byte[] Input) MakeCase(long index, StringBuilder log)
    {
        var rng = new Random(CaseSeed(_options.Seed, index));
        var roll = rng.Next(100);
        if (roll < 3)
        {
            var entry = _corpus[rng.Next(_corpus.Count)];
            log.Append("unmutated ");
            return (entry, entry.Bytes);
        }

        if (roll < 8)
        {
            var hostile = Hostile.Make(rng);
            log.Append("hostile-value ");
            if (rng.Next(2) == 0)
            {
                // As an amqp-value body section, so the message decoders meet it too.
                return (new CorpusEntry("hostile-message", InputKind.Message, []), [0x00, 0x53, 0x77, .. hostile]);
            }

            return (new CorpusEntry("hostile", InputKind.Value, []), hostile);
        }

        // Kind first, so the many captured frames do not crowd out messages and values.
        var kindRoll = rng.Next(100);
        var pool = kindRoll < 45 ? _frames : kindRoll < 80 ? _messages : _values;
        var source = pool[rng.Next(pool.Count)];
        return (source, _mutator.Mutate(rng, source, log));
    }

    // ---- In-process ----------------------------------------------------------------------------------------------

    private sealed class Worker : IDisposable
    {
        public readonly DecodeTargets Targets = new();

        public void Dispose() => Targets.Dispose();

        public long CurrentCase = -1;
        public int CurrentTarget;
        public long StartedTicks;
    }

    /// <summary>Every valid corpus entry must decode with the targets made for it, or the harness (or Van) is wrong.</summary>
    public void SelfTest()
    {
        using var targets = new DecodeTargets();
        foreach (var entry in _corpus)
        {
            var own = entry.Kind switch
            {
                InputKind.Frame => new[] { FuzzTarget.Frame, FuzzTarget.RoundTrip },
                InputKind.Message => [FuzzTarget.MessageReader, FuzzTarget.MessageDecode, FuzzTarget.RoundTrip],
                _ => [FuzzTarget.Reader, FuzzTarget.RoundTrip],
            };
            foreach (var target in own)
            {
                string? problem;
                try
                {
                    problem = targets.Run(target, entry.Bytes, entry.Kind, reuse: false) ? null : "decode error";
                }
                catch (Exception e)
                {
                    problem = e.ToString();
                }

                if (problem is not null)
                {
                    // Captured vectors are other implementations' bytes: a refusal there is worth a look, not proof.
                    if (entry.Name.StartsWith("vector:", StringComparison.Ordinal) && problem == "decode error")
                    {
                        Console.WriteLine($"note: corpus entry {entry.Name} is refused by {target}");
                        continue;
                    }

                    Fail($"self-test:{target}:{entry.Name}", $"corpus entry {entry.Name} ({entry.Bytes.Length} bytes) fails {target}: {problem}\n    {Hex(entry.Bytes, 96)}");
                }
            }
        }
    }

    public void RunInProcess(long from, long to, Stopwatch budget)
    {
        _next = from;
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => new Worker()).ToArray();
        using var stop = new ManualResetEventSlim();
        var watchdog = new Thread(() => Watch(workers, stop)) { IsBackground = true, Name = "fuzz watchdog" };
        watchdog.Start();
        var threads = workers.Select(w => new Thread(() => Work(w, to, budget), 16 * 1024 * 1024) { Name = "fuzz worker" }).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        stop.Set();
        watchdog.Join();
        foreach (var w in workers)
        {
            w.Dispose();
        }
    }

    private bool OverBudget(Stopwatch budget) => _options.Minutes is { } m && budget.Elapsed.TotalMinutes >= m;

    private void Work(Worker worker, long to, Stopwatch budget)
    {
        var log = new StringBuilder();
        while (true)
        {
            var index = Interlocked.Increment(ref _next) - 1;
            if (index >= to || OverBudget(budget))
            {
                return;
            }

            log.Clear();
            var (entry, input) = MakeCase(index, log);
            Volatile.Write(ref worker.StartedTicks, Stopwatch.GetTimestamp());
            Volatile.Write(ref worker.CurrentCase, index);
            for (var t = 0; t < DecodeTargets.Count; t++)
            {
                Volatile.Write(ref worker.CurrentTarget, t);
                var target = (FuzzTarget)t;
                try
                {
                    var ok = worker.Targets.Run(target, input, entry.Kind, reuse: (index & 1) == 0);
                    Interlocked.Increment(ref _counts[t, ok ? 0 : 1]);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref _counts[t, 2]);
                    Fail(Signature(target.ToString(), e), Report(index, target.ToString(), entry, input, log, e));
                }
            }

            Volatile.Write(ref worker.CurrentCase, -1);
            Interlocked.Increment(ref _casesRun);
        }
    }

    /// <summary>A case stuck in the decoder cannot be stopped: report it with what replays it, and end the run.</summary>
    private void Watch(Worker[] workers, ManualResetEventSlim stop)
    {
        while (!stop.Wait(250))
        {
            foreach (var w in workers)
            {
                var index = Volatile.Read(ref w.CurrentCase);
                if (index >= 0 && Stopwatch.GetElapsedTime(Volatile.Read(ref w.StartedTicks)) > CaseHangLimit && Volatile.Read(ref w.CurrentCase) == index)
                {
                    Console.WriteLine($"FAILURE hang: case {index} has run target {(FuzzTarget)Volatile.Read(ref w.CurrentTarget)} for more than {CaseHangLimit.TotalSeconds} s.");
                    Console.WriteLine($"  replay: --seed {_options.Seed} --case {index}");
                    Console.Out.Flush();
                    Environment.Exit(1);
                }
            }
        }
    }

    // ---- Live -----------------------------------------------------------------------------------------------------

    public bool IsLiveCase(long index) => _options.LiveEvery > 0 && index % _options.LiveEvery == 0;

    public LiveScript MakeLiveScript(long index, StringBuilder log) => _options.LiveTarget == "engine"
        ? LiveTarget.MakeScript(new Random(CaseSeed(_options.Seed, index) ^ LiveSalt), _mutator, _frames, _messages, log)
        : RouterTarget.MakeScript(index, new Random(CaseSeed(_options.Seed, index) ^ LiveSalt), _mutator, _frames, _messages, log);

    public async Task RunLiveAsync(ILiveNode live, long to, Stopwatch budget)
    {
        live.Logs.InFlight = () => string.Join(", ", _liveInFlight.Keys.Order().Take(40));
        using var gate = new SemaphoreSlim(_options.LiveConcurrency);
        var running = new List<Task>();
        for (long index = 0; index < to && !OverBudget(budget); index += Math.Max(1, _options.LiveEvery))
        {
            await gate.WaitAsync();
            var i = index;
            running.Add(Task.Run(async () =>
            {
                try
                {
                    await RunLiveCaseAsync(live, i);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        await Task.WhenAll(running);
    }

    public async Task<LiveTarget.Observation> RunLiveCaseAsync(ILiveNode live, long index)
    {
        var log = new StringBuilder();
        var script = MakeLiveScript(index, log);
        _liveInFlight[index] = script.Stage;
        LiveTarget.Observation observation;
        try
        {
            observation = await live.RunAsync(script);
        }
        finally
        {
            _liveInFlight.TryRemove(index, out _);
        }

        Interlocked.Increment(ref _liveRun);
        _liveCounts.AddOrUpdate($"{script.Stage}/{observation.Outcome}", 1, (_, n) => n + 1);
        if (observation.Outcome is LiveOutcome.Hang or LiveOutcome.InternalError or LiveOutcome.BadServerFrame)
        {
            Fail($"live:{script.Stage}:{observation.Outcome}:{observation.Detail}",
                $"FAILURE live {observation.Outcome} in case {index} (stage {script.Stage}): {observation.Detail}\n" +
                $"  mutations: {log}\n  replay: --seed {_options.Seed} --case {index}\n" +
                $"  mutated bytes ({script.Mutated.Length}): {Hex(script.Mutated, 96)}");
        }

        return observation;
    }

    public void FailLive(string what, string detail) => Fail("live:" + what, $"FAILURE {what}: {detail}");

    // ---- Replay ---------------------------------------------------------------------------------------------------

    public async Task ReplayAsync(long index, Func<Task<ILiveNode>> startLive)
    {
        var log = new StringBuilder();
        var (entry, input) = MakeCase(index, log);
        Console.WriteLine($"case {index} of seed {_options.Seed}: from {entry.Name} ({entry.Kind}), mutations: {log}");
        Console.WriteLine($"input ({input.Length} bytes): {Hex(input, 4096)}");
        using var targets = new DecodeTargets();
        for (var t = 0; t < DecodeTargets.Count; t++)
        {
            var target = (FuzzTarget)t;
            try
            {
                var ok = targets.Run(target, input, entry.Kind, reuse: (index & 1) == 0);
                Console.WriteLine($"  {target}: {(ok ? "decoded" : "decode error")}");
                if (!ok)
                {
                    // Once more, to show the decoder's reason.
                    try
                    {
                        targets.RunThrowing(target, input, entry.Kind, reuse: (index & 1) == 0);
                    }
                    catch (AmqpDecodeException e)
                    {
                        Console.WriteLine($"    {e.Message}");
                    }
                }
            }
            catch (Exception e)
            {
                Fail(Signature(target.ToString(), e), Report(index, target.ToString(), entry, input, log, e));
                Console.WriteLine($"  {target}: FAILURE {e}");
            }
        }

        if (IsLiveCase(index))
        {
            await using var live = await startLive();
            var liveLog = new StringBuilder();
            var script = MakeLiveScript(index, liveLog);
            Console.WriteLine($"live: stage {script.Stage}, mutations: {liveLog}");
            Console.WriteLine($"  prefix ({script.Prefix.Length} bytes): {Hex(script.Prefix, 4096)}");
            Console.WriteLine($"  mutated ({script.Mutated.Length} bytes): {Hex(script.Mutated, 4096)}");
            var observation = await RunLiveCaseAsync(live, index);
            Console.WriteLine($"  outcome: {observation.Outcome} {observation.Detail} (close: {observation.CloseCondition ?? "none"})");
            if (await live.HealthCheckAsync("replay") is { } problem)
            {
                Fail("live:health-after", "FAILURE after the case a good client could not get an echo: " + problem);
            }

            foreach (var failure in await live.ExtraChecksAsync())
            {
                Fail("live:router-state", "FAILURE " + failure);
            }

            if (await live.ConnectionsLeftAsync(LiveTarget.Deadline) is > 0 and var left)
            {
                Fail("live:connections-held", $"FAILURE {left} connections were still held by the node {LiveTarget.Deadline.TotalSeconds:0} s after the case");
            }

            foreach (var e in live.Logs.Errors)
            {
                Fail("live:log", "FAILURE the node logged an error: " + e);
            }
        }
    }

    // ---- Reporting ------------------------------------------------------------------------------------------------

    private void Fail(string signature, string report)
    {
        Interlocked.Increment(ref _failures);
        var seen = _failureSignatures.AddOrUpdate(signature, 1, (_, n) => n + 1);
        if (seen == 1 && _failureReports.Count < FailuresPrinted)
        {
            _failureReports.Enqueue(report);
            Console.WriteLine(report);
        }
    }

    private static string Signature(string target, Exception e)
    {
        var frame = e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains(" Van.", StringComparison.Ordinal))?.Trim() ?? "";
        return $"{target}:{e.GetType().FullName}:{frame}";
    }

    private string Report(long index, string target, CorpusEntry entry, byte[] input, StringBuilder log, Exception e) =>
        $"FAILURE {target}: {e.GetType().FullName} in case {index} (seed {_options.Seed}), from {entry.Name}, mutations: {log}\n" +
        $"  replay: --seed {_options.Seed} --case {index}\n" +
        $"  input ({input.Length} bytes): {Hex(input, 96)}\n" +
        $"  {e.ToString().Replace("\n", "\n  ", StringComparison.Ordinal)}";

    public static string Hex(ReadOnlySpan<byte> bytes, int max) =>
        Convert.ToHexString(bytes[..Math.Min(bytes.Length, max)]).ToLowerInvariant() + (bytes.Length > max ? "…" : "");

    public void PrintSummary(TimeSpan elapsed)
    {
        var cases = Interlocked.Read(ref _casesRun);
        Console.WriteLine();
        Console.WriteLine($"cases: {cases:N0} in {elapsed.TotalSeconds:0.0} s = {cases / Math.Max(elapsed.TotalSeconds, 0.001):N0} cases/s ({_options.Workers} workers)");
        Console.WriteLine($"{"target",-15}{"accepted",12}{"decode-errors",15}{"failures",10}");
        for (var t = 0; t < DecodeTargets.Count; t++)
        {
            Console.WriteLine($"{(FuzzTarget)t,-15}{_counts[t, 0],12:N0}{_counts[t, 1],15:N0}{_counts[t, 2],10:N0}");
        }

        Console.WriteLine($"live cases: {Interlocked.Read(ref _liveRun):N0}");
        foreach (var (key, n) in _liveCounts.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {key,-32}{n,8:N0}");
        }

        if (!_failureSignatures.IsEmpty)
        {
            Console.WriteLine("distinct failures:");
            foreach (var (signature, n) in _failureSignatures.OrderByDescending(k => k.Value))
            {
                Console.WriteLine($"  {n,8:N0}  {signature}");
            }
        }
    }
}
