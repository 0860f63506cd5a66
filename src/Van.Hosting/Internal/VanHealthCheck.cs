using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Van.Internal;

internal sealed class VanHealthCheck(VanNode node, IOptions<VanOptions> options, string[] requiredServices) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (node.Router is not { } router || node.Leaving.IsCancellationRequested)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The Van node '{node.NodeId}' is not running."));
        }

        var required = options.Value.RequiredServices.Concat(requiredServices).Distinct(StringComparer.Ordinal).ToArray();
        var missing = required.Where(a => router.NodesServing(a).Count == 0).ToArray();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["node"] = node.NodeId,
            ["required"] = required,
            ["missing"] = missing,
        };
        return Task.FromResult(missing.Length == 0
            ? HealthCheckResult.Healthy($"Node '{node.NodeId}' reaches every required service.", data)
            : HealthCheckResult.Unhealthy($"Node '{node.NodeId}' has no route to: {string.Join(", ", missing)}.", data: data));
    }
}
