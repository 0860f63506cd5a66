using System.Collections.Concurrent;
using System.Diagnostics;
using Van;

namespace Van.Hosting.Tests;

/// <summary>Samples every <c>Van</c> span and keeps the stopped ones tagged with one of the given nodes.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder(params string[] nodes)
    {
        var ids = new HashSet<string>(nodes, StringComparer.Ordinal);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == VanDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("van.node") is string node && ids.Contains(node))
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The stopped spans named <paramref name="name"/> that <paramref name="node"/> reported.</summary>
    public List<Activity> Of(string node, string name) =>
        [.. _stopped.Where(s => s.OperationName == name && Equals(s.GetTagItem("van.node"), node))];

    public void Dispose() => _listener.Dispose();
}
