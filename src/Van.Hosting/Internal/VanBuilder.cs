using Microsoft.Extensions.DependencyInjection;

namespace Van.Internal;

internal sealed class VanBuilder(IServiceCollection services) : IVanBuilder
{
    public IServiceCollection Services { get; } = services;
}
