using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Van;
using Van.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Van to a host: <c>builder.Services.AddVirtualNetwork(…)</c>.</summary>
public static class VanServiceCollectionExtensions
{
    /// <summary>
    /// Hosts a Van node in this process (started and stopped with the host) and registers <see cref="IVanClient"/>.
    /// Options are validated when the host starts; a bad value stops the start with a message naming it.
    /// </summary>
    public static IVanBuilder AddVirtualNetwork(this IServiceCollection services, Action<VanOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new VanBuilder(services);
    }

    /// <summary>
    /// As <see cref="AddVirtualNetwork(IServiceCollection, Action{VanOptions}?)"/>, with options bound from
    /// <paramref name="configuration"/> (usually the "Van" section), so a deployment is data.
    /// </summary>
    public static IVanBuilder AddVirtualNetwork(this IServiceCollection services, IConfiguration configuration, Action<VanOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services);
        services.Configure<VanOptions>(configuration);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new VanBuilder(services);
    }

    private static void AddCore(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(VanNode)))
        {
            return;
        }

        services.AddOptions<VanOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VanOptions>, VanOptionsValidator>());
        services.TryAddSingleton<IVanSerializer>(VanJsonSerializer.Default);
        services.AddSingleton<VanNode>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<VanNode>());
        services.TryAddSingleton<IVanNode>(sp => sp.GetRequiredService<VanNode>());
        services.TryAddSingleton<IVanClient>(sp => new VanClient(sp.GetRequiredService<VanNode>()));
    }
}
