using Microsoft.Extensions.DependencyInjection;

namespace Van;

/// <summary>
/// Returned by <c>AddVirtualNetwork()</c>: maps the services this process serves (<c>MapService</c>,
/// <c>AddService</c>) and swaps parts (<c>UseSerializer</c>) through extension methods.
/// </summary>
public interface IVanBuilder
{
    /// <summary>The host's services.</summary>
    IServiceCollection Services { get; }
}
