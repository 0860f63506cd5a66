using System.Reflection;

namespace Van.Internal;

/// <summary>
/// What Van can call on a service interface: every method (inherited interfaces included) returning Task, Task&lt;T&gt;,
/// ValueTask or ValueTask&lt;T&gt;, taking at most one argument plus an optional trailing CancellationToken, with
/// names unique (the method name is the message's subject). Checked once per interface, with errors that say which
/// method breaks which rule.
/// </summary>
internal sealed record ServiceContract(Type Interface, IReadOnlyList<ServiceOperation> Operations)
{
    private static readonly Dictionary<Type, ServiceContract> Cache = [];

    public static ServiceContract Of(Type type)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(type, out var contract))
            {
                Cache[type] = contract = Describe(type);
            }

            return contract;
        }
    }

    private static ServiceContract Describe(Type type)
    {
        if (!type.IsInterface)
        {
            throw new ArgumentException($"'{type.FullName}' is not an interface: Van services and proxies are described by interfaces.");
        }

        var operations = new List<ServiceOperation>();
        foreach (var method in type.GetMethods().Concat(type.GetInterfaces().SelectMany(i => i.GetMethods())))
        {
            if (method.IsStatic || method.IsSpecialName)
            {
                continue;
            }

            if (method.IsGenericMethodDefinition)
            {
                throw Invalid(type, method, "it is generic");
            }

            var parameters = method.GetParameters();
            var cancellation = parameters.Length > 0 && parameters[^1].ParameterType == typeof(CancellationToken) ? parameters.Length - 1 : -1;
            var arguments = parameters.Where(p => p.ParameterType != typeof(CancellationToken)).ToArray();
            if (arguments.Length > 1 || parameters.Count(p => p.ParameterType == typeof(CancellationToken)) > (cancellation >= 0 ? 1 : 0))
            {
                throw Invalid(type, method, "Van methods take at most one argument (a request type) and an optional trailing CancellationToken");
            }

            if (parameters.Any(p => p.ParameterType.IsByRef))
            {
                throw Invalid(type, method, "it has a ref or out parameter");
            }

            var returns = method.ReturnType;
            Type? result;
            bool valueTask;
            if (returns == typeof(Task) || returns == typeof(ValueTask))
            {
                result = null;
                valueTask = returns == typeof(ValueTask);
            }
            else if (returns.IsGenericType && (returns.GetGenericTypeDefinition() == typeof(Task<>) || returns.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            {
                result = returns.GetGenericArguments()[0];
                valueTask = returns.GetGenericTypeDefinition() == typeof(ValueTask<>);
            }
            else
            {
                throw Invalid(type, method, "it must return Task, Task<T>, ValueTask or ValueTask<T> (calls cross the network)");
            }

            if (operations.Any(o => o.Name == method.Name))
            {
                throw Invalid(type, method, "another method has the same name, and Van calls methods by name");
            }

            operations.Add(new ServiceOperation(method, method.Name, arguments.Length == 1 ? arguments[0].ParameterType : null, Array.IndexOf(parameters, arguments.FirstOrDefault()), cancellation, result, valueTask));
        }

        return new ServiceContract(type, operations);
    }

    private static ArgumentException Invalid(Type type, MethodInfo method, string why) =>
        new($"'{type.FullName}.{method.Name}' cannot be called through Van: {why}.");
}
