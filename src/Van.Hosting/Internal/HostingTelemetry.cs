using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Van.Internal;

internal static class HostingTelemetry
{
    public static readonly ActivitySource Source = new(VanDiagnostics.ActivitySourceName);
    public static readonly Meter Meter = new(VanDiagnostics.MeterName);

    public static readonly Counter<long> ClientRequests = Meter.CreateCounter<long>("van.client.requests", "{call}", "Calls made through IVanClient, by address, operation and outcome.");
    public static readonly Counter<long> ClientFailures = Meter.CreateCounter<long>("van.client.failures", "{call}", "Calls that failed, by address and reason.");
    public static readonly Histogram<double> ClientDuration = Meter.CreateHistogram<double>("van.client.duration", "s", "How long calls took, by address, operation and outcome.");
    public static readonly Counter<long> ServiceRequests = Meter.CreateCounter<long>("van.service.requests", "{message}", "Messages handled by this process's services, by address and outcome.");
    public static readonly Histogram<double> ServiceDuration = Meter.CreateHistogram<double>("van.service.duration", "s", "How long handlers took, by address and outcome.");

    public static string OutcomeOf(Exception? e) => e switch
    {
        null => "ok",
        VanNoRouteException => "no-route",
        VanRequestTimeoutException => "timeout",
        VanRemoteException => "remote-error",
        VanLinkLostException => "link-lost",
        VanRejectedException => "rejected",
        OperationCanceledException => "cancelled",
        _ => "error",
    };

    public static void RecordCall(string node, string address, string operation, long started, Exception? failure)
    {
        // Nobody listening (the usual case): no tag list, no clock read.
        if (!ClientRequests.Enabled && !ClientDuration.Enabled && (failure is null || !ClientFailures.Enabled))
        {
            return;
        }

        var outcome = OutcomeOf(failure);
        var tags = new TagList
        {
            { "van.node", node },
            { "van.address", address },
            { "van.operation", operation },
            { "van.outcome", outcome },
        };
        ClientRequests.Add(1, tags);
        if (ClientDuration.Enabled)
        {
            ClientDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }

        if (failure is not null && ClientFailures.Enabled)
        {
            ClientFailures.Add(1, new TagList { { "van.node", node }, { "van.address", address }, { "van.reason", outcome } });
        }
    }

    public static void RecordHandled(string node, string address, long started, string outcome)
    {
        if (!ServiceRequests.Enabled && !ServiceDuration.Enabled)
        {
            return;
        }

        var tags = new TagList { { "van.node", node }, { "van.address", address }, { "van.outcome", outcome } };
        ServiceRequests.Add(1, tags);
        if (ServiceDuration.Enabled)
        {
            ServiceDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }
}
