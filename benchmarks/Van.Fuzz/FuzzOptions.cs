using System.Globalization;

namespace Van.Fuzz;

/// <summary>The command line.</summary>
internal sealed class FuzzOptions
{
    public const int DefaultSeed = 20261121;

    /// <summary>How many cases (each runs every in-process target).</summary>
    public long Cases { get; private set; } = 20_000;

    /// <summary>The run seed; case N's input depends only on (seed, N).</summary>
    public int Seed { get; private set; } = DefaultSeed;

    /// <summary>Replay this one case verbosely, or null.</summary>
    public long? Case { get; private set; }

    /// <summary>Every K-th case also goes to the live node (K=16: 1,250 live cases in a 20k run). 0 turns the live phase off.</summary>
    public long LiveEvery { get; private set; } = 16;

    /// <summary>Live cases in flight at once.</summary>
    public int LiveConcurrency { get; private set; } = 32;

    /// <summary>Optional time budget: stop starting cases after this long.</summary>
    public double? Minutes { get; private set; }

    /// <summary>Growth of the managed heap (after a full GC) from warm-up to the end that counts as a failure.</summary>
    public long MemoryBoundBytes { get; private set; } = 64L * 1024 * 1024;

    /// <summary>What the live cases go to: "router" (a real VanRouter, the default) or "engine" (a bare Van.Core listener).</summary>
    public string LiveTarget { get; private set; } = "router";

    /// <summary>In-process worker threads.</summary>
    public int Workers { get; private set; } = Environment.ProcessorCount;

    public static FuzzOptions Parse(string[] args)
    {
        var o = new FuzzOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            long Long() => long.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--cases": o.Cases = Long(); break;
                case "--seed": o.Seed = int.Parse(Next(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture); break;
                case "--case": o.Case = Long(); break;
                case "--live-every": o.LiveEvery = Long(); break;
                case "--live-concurrency": o.LiveConcurrency = (int)Long(); break;
                case "--minutes": o.Minutes = double.Parse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture); break;
                case "--memory-bound-mb": o.MemoryBoundBytes = Long() * 1024 * 1024; break;
                case "--live-target":
                    o.LiveTarget = Next() is "router" or "engine" ? args[i] : throw new ArgumentException("--live-target is router or engine.");
                    break;
                case "--workers": o.Workers = Math.Max(1, (int)Long()); break;
                case "-h" or "--help":
                    Console.WriteLine("""
                        Van.Fuzz: mutates valid AMQP frames and messages and feeds them to Van's decoders and to a live node.
                          --cases N            cases to run (default 20000)
                          --seed S             run seed (default 20261121)
                          --case N             replay case N of seed S verbosely
                          --live-every K       every K-th case also goes to the live node (default 16; 0 = none)
                          --live-concurrency C live sockets at once (default 32)
                          --live-target T      router (a real VanRouter: client and inter-node stages; default) or
                                               engine (a bare Van.Core listener)
                          --minutes M          stop starting cases after M minutes
                          --memory-bound-mb B  allowed heap growth warm-up -> end (default 64)
                          --workers W          in-process worker threads (default: processor count)
                        Exit code 0 when no case failed, 1 otherwise.
                        """);
                    Environment.Exit(0);
                    break;
                default: throw new ArgumentException($"Unknown option {args[i]} (try --help).");
            }
        }

        return o;
    }
}
