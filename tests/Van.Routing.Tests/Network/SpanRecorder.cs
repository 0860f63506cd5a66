using System.Collections.Concurrent;
using System.Diagnostics;

namespace Van.Routing.Tests.Network;

/// <summary>Collects stopped <c>Van</c> spans tagged with one of the given nodes.</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder(params string[] nodes)
    {
        var ids = new HashSet<string>(nodes, StringComparer.Ordinal);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Van",
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

    public List<Activity> Of(string node) => [.. _stopped.Where(s => Equals(s.GetTagItem("van.node"), node))];

    public void Dispose() => _listener.Dispose();
}
