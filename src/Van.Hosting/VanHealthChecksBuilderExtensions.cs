using Microsoft.Extensions.Diagnostics.HealthChecks;
using Van.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Van's health check: <c>services.AddHealthChecks().AddVanHealthCheck("orders")</c>.</summary>
public static class VanHealthChecksBuilderExtensions
{
    /// <summary>
    /// Reports unhealthy while the node is not running or has no route to one of the services the application needs
    /// (<paramref name="requiredServices"/> and <c>VanOptions.RequiredServices</c>), naming the missing ones.
    /// </summary>
    public static IHealthChecksBuilder AddVanHealthCheck(this IHealthChecksBuilder builder, params string[] requiredServices)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(requiredServices);
        builder.Services.AddSingleton(sp => new VanHealthCheck(
            sp.GetRequiredService<VanNode>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Van.VanOptions>>(),
            requiredServices));
        return builder.AddCheck<VanHealthCheck>("van", HealthStatus.Unhealthy, ["van"]);
    }
}
