using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Van.Routing.Tests.Network;

/// <summary>
/// Collects the measurements of the <c>Van</c> meter tagged with one of the given nodes (other tests run nodes in the
/// same process at the same time, so each test names its nodes uniquely and sees only its own).
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<string> _nodes;
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> _observations = new();

    public MetricRecorder(params string[] nodes)
    {
        _nodes = new HashSet<string>(nodes, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Van")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> recorded for <paramref name="node"/> with the given tags.</summary>
    public long Sum(string instrument, string node, string? peer = null, string? direction = null)
    {
        long sum = 0;
        foreach (var m in _measurements)
        {
            if (Matches(m, instrument, node, peer, direction))
            {
                sum += m.Value;
            }
        }

        return sum;
    }

    /// <summary>Polls the observable instruments and returns what <paramref name="instrument"/> reported for <paramref name="node"/> (null if nothing).</summary>
    public long? Observe(string instrument, string node)
    {
        _observations.Clear();
        _listener.RecordObservableInstruments();
        long? value = null;
        foreach (var m in _observations)
        {
            if (Matches(m, instrument, node, null, null))
            {
                value = m.Value;
            }
        }

        return value;
    }

    public void Dispose() => _listener.Dispose();

    private static bool Matches((string Instrument, long Value, Dictionary<string, object?> Tags) m, string instrument, string node, string? peer, string? direction) =>
        m.Instrument == instrument
        && Equals(m.Tags.GetValueOrDefault("van.node"), node)
        && (peer is null || Equals(m.Tags.GetValueOrDefault("van.peer"), peer))
        && (direction is null || Equals(m.Tags.GetValueOrDefault("van.direction"), direction));

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var tagMap = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            tagMap[key] = tagValue;
        }

        if (tagMap.GetValueOrDefault("van.node") is string node && _nodes.Contains(node))
        {
            (instrument.IsObservable ? _observations : _measurements).Enqueue((instrument.Name, value, tagMap));
        }
    }
}
