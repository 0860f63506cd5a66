namespace Van.Internal;

/// <summary>An address the builder mapped, and how to make its handler once the host's services exist.</summary>
internal sealed record ServiceRegistration(string Address, Func<IServiceProvider, VanRequestHandler> CreateHandler);
