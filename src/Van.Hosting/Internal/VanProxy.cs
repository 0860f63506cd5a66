using System.Collections.Concurrent;
using System.Reflection;

namespace Van.Internal;

/// <summary>
/// The typed client <see cref="IVanClient.CreateProxy{T}"/> returns: each interface method becomes a request whose
/// subject is the method's name. Must stay non-sealed with a public constructor: <see cref="DispatchProxy"/> derives from it.
/// </summary>
#pragma warning disable CA1852 // DispatchProxy generates a subclass at run time.
internal class VanProxy : DispatchProxy
#pragma warning restore CA1852
{
    private static readonly ConcurrentDictionary<MethodInfo, Func<VanProxy, ServiceOperation, object?[], object>> Calls = new();
    private VanClient _client = null!;
    private string _address = "";
    private Dictionary<MethodInfo, (ServiceOperation Operation, VanCallOptions Options)> _operations = null!;

    public static T Create<T>(VanClient client, string address, VanCallOptions? options)
        where T : class
    {
        var contract = ServiceContract.Of(typeof(T));
        var proxy = DispatchProxy.Create<T, VanProxy>();
        var self = (VanProxy)(object)proxy;
        self._client = client;
        self._address = address;
        self._operations = contract.Operations.ToDictionary(
            o => o.Method,
            o => (o, new VanCallOptions { Timeout = options?.Timeout, Headers = options?.Headers, Subject = o.Name }));
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (!_operations.TryGetValue(targetMethod, out var entry))
        {
            throw new NotSupportedException($"'{targetMethod.Name}' is not a Van operation.");
        }

        var call = Calls.GetOrAdd(targetMethod, static (_, operation) => Bind(operation), entry.Operation);
        return call(this, entry.Operation, args ?? []);
    }

    private static Func<VanProxy, ServiceOperation, object?[], object> Bind(ServiceOperation operation)
    {
        var name = (operation.ReturnsValueTask, operation.Result is null) switch
        {
            (false, true) => nameof(CallTask),
            (false, false) => nameof(CallTaskOf),
            (true, true) => nameof(CallValueTask),
            (true, false) => nameof(CallValueTaskOf),
        };
        var generic = typeof(VanProxy).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;
        var method = operation.Result is { } result
            ? generic.MakeGenericMethod(operation.Argument ?? typeof(NoPayload), result)
            : generic.MakeGenericMethod(operation.Argument ?? typeof(NoPayload));
        return method.CreateDelegate<Func<VanProxy, ServiceOperation, object?[], object>>();
    }

    // The four shapes return object on purpose: DispatchProxy hands the boxed task back to the caller, which unboxes it once.
#pragma warning disable CA1859, CA2012
    private static object CallTask<TArg>(VanProxy proxy, ServiceOperation operation, object?[] args) =>
        proxy.RequestAsync<TArg, NoPayload>(operation, args).AsTask();

    private static object CallValueTask<TArg>(VanProxy proxy, ServiceOperation operation, object?[] args) =>
        DropResult(proxy.RequestAsync<TArg, NoPayload>(operation, args));

    private static object CallTaskOf<TArg, TResult>(VanProxy proxy, ServiceOperation operation, object?[] args) =>
        proxy.RequestAsync<TArg, TResult>(operation, args).AsTask();

    private static object CallValueTaskOf<TArg, TResult>(VanProxy proxy, ServiceOperation operation, object?[] args) =>
        proxy.RequestAsync<TArg, TResult>(operation, args);

#pragma warning restore CA1859, CA2012

    private static async ValueTask DropResult(ValueTask<NoPayload> call) => await call.ConfigureAwait(false);

    private ValueTask<TResult> RequestAsync<TArg, TResult>(ServiceOperation operation, object?[] args)
    {
        var argument = operation.ArgumentIndex >= 0 ? (TArg)args[operation.ArgumentIndex]! : default!;
        var cancellationToken = operation.CancellationIndex >= 0 ? (CancellationToken)args[operation.CancellationIndex]! : default;
        return _client.RequestAsync<TArg, TResult>(_address, argument, _operations[operation.Method].Options, cancellationToken);
    }
}
