namespace Van.LoadTest.VanTargets;

/// <summary>What the serving node (node C, a child process) maps.</summary>
internal static class Addresses
{
    /// <summary>Request/reply: the reply is the request's bytes.</summary>
    public const string Echo = "loadtest-echo";

    /// <summary>One-way: checks the 64-byte message, replies nothing.</summary>
    public const string Sink = "loadtest-sink";

    /// <summary>One-way: checks the 1 MiB message whole, replies nothing.</summary>
    public const string Bulk = "loadtest-bulk";

    /// <summary>Publish/subscribe: one subscriber (on node C) counts and checks what it gets.</summary>
    public const string Feed = "loadtest-feed";

    /// <summary>The in-process scenario's service, mapped on the caller's own node.</summary>
    public const string Local = "loadtest-local";
}
