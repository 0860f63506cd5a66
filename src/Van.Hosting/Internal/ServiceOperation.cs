using System.Reflection;

namespace Van.Internal;

/// <summary>One callable method of a service interface.</summary>
/// <param name="Method">The interface method.</param>
/// <param name="Name">Its name: the subject of the messages that call it.</param>
/// <param name="Argument">The type of its one argument, or null when it takes none.</param>
/// <param name="ArgumentIndex">The argument's position, or -1.</param>
/// <param name="CancellationIndex">The position of its CancellationToken, or -1.</param>
/// <param name="Result">The T of Task&lt;T&gt;/ValueTask&lt;T&gt;, or null for Task/ValueTask.</param>
/// <param name="ReturnsValueTask">It returns a ValueTask rather than a Task.</param>
internal sealed record ServiceOperation(MethodInfo Method, string Name, Type? Argument, int ArgumentIndex, int CancellationIndex, Type? Result, bool ReturnsValueTask);
