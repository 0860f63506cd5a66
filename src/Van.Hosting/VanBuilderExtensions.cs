using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Van;
using Van.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Maps services onto the node and configures it: the fluent side of <see cref="IVanBuilder"/>.</summary>
public static class VanBuilderExtensions
{
    /// <summary>
    /// Serves <paramref name="address"/> from this process with a raw handler: it gets the request's bytes and returns
    /// the reply's. The node advertises the address to the network while the host runs.
    /// </summary>
    public static IVanBuilder MapService(this IVanBuilder builder, string address, VanRequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentNullException.ThrowIfNull(handler);
        builder.Services.AddSingleton(new ServiceRegistration(address, _ => handler));
        return builder;
    }

    /// <summary>Serves <paramref name="address"/> with a typed handler: the request is deserialized, the result serialized.</summary>
    public static IVanBuilder MapService<TRequest, TResponse>(this IVanBuilder builder, string address, Func<TRequest, CancellationToken, ValueTask<TResponse>> handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentNullException.ThrowIfNull(handler);
        builder.Services.AddSingleton(new ServiceRegistration(address, services =>
        {
            var serializer = services.GetRequiredService<IVanSerializer>();
            return async (request, cancellationToken) =>
            {
                var response = await handler(request.Read<TRequest>(), cancellationToken).ConfigureAwait(false);
                var buffer = new ArrayBufferWriter<byte>();
                Payload.Write(serializer, buffer, response);
                return buffer.WrittenMemory;
            };
        }));
        return builder;
    }

    /// <summary>
    /// Serves <paramref name="address"/> with <typeparamref name="TImplementation"/> through the interface
    /// <typeparamref name="TService"/>: callers use <c>IVanClient.CreateProxy&lt;TService&gt;</c> (or any AMQP client
    /// sending the method name as subject and the argument as JSON). The implementation is resolved from a DI scope
    /// per call: <typeparamref name="TService"/> registered scoped, unless the application registered it itself; when
    /// <typeparamref name="TService"/> is already registered with another class (another address serving the same
    /// interface, say), <typeparamref name="TImplementation"/> is registered and resolved as itself.
    /// </summary>
    /// <exception cref="ArgumentException">A method cannot be called through Van; the message says which and why.</exception>
    public static IVanBuilder AddService<TService, TImplementation>(this IVanBuilder builder, string address)
        where TService : class
        where TImplementation : class, TService
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(address);
        ServiceContract.Of(typeof(TService));
        var registered = builder.Services.LastOrDefault(d => d.ServiceType == typeof(TService) && !d.IsKeyedService);
        var registeredType = registered?.ImplementationType ?? registered?.ImplementationInstance?.GetType();
        Type resolved;
        if (registeredType is not null && registeredType != typeof(TImplementation))
        {
            builder.Services.TryAddScoped<TImplementation>();
            resolved = typeof(TImplementation);
        }
        else
        {
            builder.Services.TryAddScoped<TService, TImplementation>();
            resolved = typeof(TService);
        }

        builder.Services.AddSingleton(new ServiceRegistration(address, services => TypedService.Create<TService>(services, address, resolved)));
        return builder;
    }

    /// <summary>Uses <paramref name="serializer"/> for every payload that is not raw bytes.</summary>
    public static IVanBuilder UseSerializer(this IVanBuilder builder, IVanSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(serializer);
        builder.Services.Replace(ServiceDescriptor.Singleton(serializer));
        return builder;
    }

    /// <summary>
    /// Uses System.Text.Json with <paramref name="options"/>; give it a source-generated context's options
    /// (<c>MyJsonContext.Default.Options</c>) to serialize without reflection.
    /// </summary>
    public static IVanBuilder UseJsonSerializer(this IVanBuilder builder, JsonSerializerOptions options) =>
        builder.UseSerializer(new VanJsonSerializer(options));
}
