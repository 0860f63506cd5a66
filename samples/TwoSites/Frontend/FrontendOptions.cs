namespace TwoSites.Frontend;

/// <summary>The "Frontend" configuration section: how the call loop runs.</summary>
public sealed class FrontendOptions
{
    /// <summary>The section's name.</summary>
    public const string SectionName = "Frontend";

    /// <summary>
    /// Orders to place before exiting (exit code 0 when all succeeded, 1 otherwise); 0 (the default) calls until
    /// Ctrl+C. Also <c>--count N</c> on the command line.
    /// </summary>
    public int Count { get; set; }

    /// <summary>The pause between two calls. Default 1 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long to wait at start for a route to "orders" before calling anyway (the calls then fail with
    /// <c>VanNoRouteException</c> until the backend is reachable). Default 10 s.
    /// </summary>
    public TimeSpan WaitForService { get; set; } = TimeSpan.FromSeconds(10);
}
