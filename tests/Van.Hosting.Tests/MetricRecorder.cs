using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Van;

namespace Van.Hosting.Tests;

/// <summary>
/// Collects the measurements of the <c>Van</c> meter tagged with one of the given nodes (the meter is process-wide and
/// other tests run nodes at the same time, so each test names its nodes uniquely and sees only its own).
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<string> _nodes;
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public MetricRecorder(params string[] nodes)
    {
        _nodes = new HashSet<string>(nodes, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == VanDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements <paramref name="instrument"/> took for <paramref name="node"/> whose tags include <paramref name="tags"/>.</summary>
    public IReadOnlyList<Measurement> Of(string instrument, string node, params (string Key, string Value)[] tags) =>
        [.. _measurements.Where(m => m.Instrument == instrument
            && Equals(m.Tags.GetValueOrDefault("van.node"), node)
            && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value)))];

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
        {
            map[key] = tagValue;
        }

        if (!instrument.IsObservable && map.GetValueOrDefault("van.node") is string node && _nodes.Contains(node))
        {
            _measurements.Enqueue(new Measurement(instrument.Name, value, map));
        }
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
