using System.Globalization;
using Van.LoadTest.Scenarios;

namespace Van.LoadTest;

/// <summary>The command line: the full run by default, <c>--short</c> for CI.</summary>
internal sealed class LoadTestOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project benchmarks/Van.LoadTest -- [options]
          --short            CI mode: a fraction of a second per target, 1 round; fails (exit 1) on any error or wrong reply
          --scenario NAME    run one scenario: one-hop-seq, one-hop-64, one-way, transit, in-process, large, idle
          --json FILE        also write the rows as a JSON array
          --rounds N         rounds per scenario (default 5; --short 1)
          --duration SEC     seconds per target per round (default 2; --short 0.25)
          --warmup SEC       discarded warm-up per target (default 1; --short 0.1)
        exit code: 0 when every scenario ran and every reply was right (targets missed are printed, not failures),
                   1 otherwise, 2 for a bad command line
        """;

    public bool Short { get; private init; }

    public bool Help { get; private init; }

    public string? Scenario { get; private init; }

    public string? JsonPath { get; private init; }

    public int Rounds { get; private init; }

    public TimeSpan Duration { get; private init; }

    public TimeSpan Warmup { get; private init; }

    /// <summary>How long the idle probe lets a host sit before measuring it.</summary>
    public TimeSpan IdleSettle => Short ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(2);

    /// <exception cref="ArgumentException">An unknown option or a bad value; the message says which.</exception>
    public static LoadTestOptions Parse(IReadOnlyList<string> args)
    {
        var isShort = args.Contains("--short");
        string? scenario = null;
        string? json = null;
        var rounds = isShort ? 1 : 5;
        var duration = isShort ? 0.25 : 2;
        var warmup = isShort ? 0.1 : 1;
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--short":
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                case "--scenario":
                    scenario = Value(args, ref i);
                    if (!ScenarioCatalog.All.Any(s => s.Name == scenario))
                    {
                        throw new ArgumentException($"Unknown scenario '{scenario}'.");
                    }

                    break;
                case "--json":
                    json = Value(args, ref i);
                    break;
                case "--rounds":
                    rounds = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture);
                    break;
                case "--duration":
                    duration = double.Parse(Value(args, ref i), CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    warmup = double.Parse(Value(args, ref i), CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        if (rounds < 1 || duration <= 0 || warmup < 0)
        {
            throw new ArgumentException("--rounds must be at least 1, --duration above 0 and --warmup 0 or more.");
        }

        return new LoadTestOptions
        {
            Short = isShort,
            Help = help,
            Scenario = scenario,
            JsonPath = json,
            Rounds = rounds,
            Duration = TimeSpan.FromSeconds(duration),
            Warmup = TimeSpan.FromSeconds(warmup),
        };
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
