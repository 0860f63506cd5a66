using System.Buffers;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Van.Internal;

/// <summary>
/// Serves an interface: the message's subject names the method; its body is the one argument; the result is the reply.
/// The implementation is resolved from a fresh DI scope per call. Each method is compiled once into a delegate.
/// </summary>
internal static class TypedService
{
    private delegate ValueTask<ReadOnlyMemory<byte>> Invoker(object service, VanRequest request, CancellationToken cancellationToken);

    /// <param name="services">The host's services.</param>
    /// <param name="address">The address served.</param>
    /// <param name="resolved">What to resolve per call: <typeparamref name="TService"/> or the class implementing it.</param>
    public static VanRequestHandler Create<TService>(IServiceProvider services, string address, Type resolved)
        where TService : class
    {
        var serializer = services.GetRequiredService<IVanSerializer>();
        var contract = ServiceContract.Of(typeof(TService));
        var invokers = contract.Operations.ToDictionary(o => o.Name, o => Compile(o, serializer), StringComparer.Ordinal);
        var names = string.Join(", ", invokers.Keys);
        return async (request, cancellationToken) =>
        {
            if (request.Subject is not { } subject || !invokers.TryGetValue(subject, out var invoke))
            {
                throw new MissingMethodException($"'{address}' ({typeof(TService).Name}) has no operation '{request.Subject}'; it offers: {names}.");
            }

            var scope = services.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                return await invoke(scope.ServiceProvider.GetRequiredService(resolved), request, cancellationToken).ConfigureAwait(false);
            }
        };
    }

    private static Invoker Compile(ServiceOperation operation, IVanSerializer serializer)
    {
        var service = Expression.Parameter(typeof(object), "service");
        var request = Expression.Parameter(typeof(VanRequest), "request");
        var cancellation = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var parameters = operation.Method.GetParameters();
        var arguments = new Expression[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            arguments[i] = i == operation.CancellationIndex
                ? cancellation
                : Expression.Call(request, typeof(VanRequest).GetMethod(nameof(VanRequest.Read))!.MakeGenericMethod(parameters[i].ParameterType));
        }

        var call = Expression.Call(Expression.Convert(service, operation.Method.DeclaringType!), operation.Method, arguments);
        var adapterName = (operation.ReturnsValueTask, operation.Result is null) switch
        {
            (false, true) => nameof(FromTask),
            (false, false) => nameof(FromTaskOf),
            (true, true) => nameof(FromValueTask),
            (true, false) => nameof(FromValueTaskOf),
        };
        var adapter = typeof(TypedService).GetMethod(adapterName, BindingFlags.NonPublic | BindingFlags.Static)!;
        if (operation.Result is { } result)
        {
            adapter = adapter.MakeGenericMethod(result);
        }

        var body = Expression.Call(adapter, call, Expression.Constant(serializer));
        return Expression.Lambda<Invoker>(body, service, request, cancellation).Compile();
    }

    private static async ValueTask<ReadOnlyMemory<byte>> FromTask(Task task, IVanSerializer serializer)
    {
        await task.ConfigureAwait(false);
        return ReadOnlyMemory<byte>.Empty;
    }

    private static async ValueTask<ReadOnlyMemory<byte>> FromValueTask(ValueTask task, IVanSerializer serializer)
    {
        await task.ConfigureAwait(false);
        return ReadOnlyMemory<byte>.Empty;
    }

    private static async ValueTask<ReadOnlyMemory<byte>> FromTaskOf<T>(Task<T> task, IVanSerializer serializer) =>
        Write(await task.ConfigureAwait(false), serializer);

    private static async ValueTask<ReadOnlyMemory<byte>> FromValueTaskOf<T>(ValueTask<T> task, IVanSerializer serializer) =>
        Write(await task.ConfigureAwait(false), serializer);

    private static ReadOnlyMemory<byte> Write<T>(T value, IVanSerializer serializer)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Payload.Write(serializer, buffer, value);
        return buffer.WrittenMemory;
    }
}
