using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Van.Routing.Benchmarks;

/// <summary>Samples what is allocated (the runtime's allocation ticks, about one per 100 KB), to find what still allocates.</summary>
internal sealed class AllocationTrace : EventListener
{
    public ConcurrentDictionary<string, int> Types { get; } = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not null && eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) && eventData.Payload is { } payload)
        {
            var index = eventData.PayloadNames!.IndexOf("TypeName");
            var name = index >= 0 ? payload[index] as string ?? "?" : "?";
            Types.AddOrUpdate(name, 1, (_, n) => n + 1);
        }
    }
}
