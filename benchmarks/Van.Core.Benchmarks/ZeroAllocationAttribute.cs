namespace Van.Core.Benchmarks;

/// <summary>
/// Marks a benchmark whose steady state must allocate nothing. <c>--smoke</c> fails (exit code 1) when such a
/// method allocates after warm-up.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ZeroAllocationAttribute : Attribute
{
}
