using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace Van.Core.Benchmarks;

/// <summary>
/// Runs the benchmarks with BenchmarkDotNet, or with <c>--smoke</c> calls every benchmark method directly, prints
/// what each allocates per call after a warm-up, and exits with 1 if a <see cref="ZeroAllocationAttribute"/> method
/// allocates (a check quick enough for CI).
/// </summary>
public static class Program
{
    private const int WarmUpCalls = 2_000;
    private const int MeasuredCalls = 1_000;

    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--smoke", StringComparer.Ordinal))
        {
            return Smoke();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static int Smoke()
    {
        var failures = 0;
        var count = 0;
        Console.WriteLine($"{"Method",-50} {"bytes/call",10} {"~ns/call",9}  goal");
        foreach (var type in BenchmarkTypes())
        {
            var instance = Activator.CreateInstance(type)!;
            InvokeAll(type, instance, typeof(GlobalSetupAttribute));
            try
            {
                foreach (var method in BenchmarkMethods(type))
                {
                    count++;
                    var zeroGoal = method.IsDefined(typeof(ZeroAllocationAttribute));
                    var (bytes, nanoseconds) = Measure(method, instance);
                    var failed = zeroGoal && bytes > 0;
                    failures += failed ? 1 : 0;
                    var goal = zeroGoal ? (failed ? "0  FAIL" : "0  ok") : "-";
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{type.Name + "." + method.Name,-50} {bytes,10:0.#} {nanoseconds,9:0.0}  {goal}"));
                }
            }
            finally
            {
                InvokeAll(type, instance, typeof(GlobalCleanupAttribute));
            }
        }

        Console.WriteLine(failures == 0
            ? $"smoke: {count} methods ran; every zero-allocation goal met."
            : $"smoke: {count} methods ran; {failures} zero-allocation goal(s) missed.");
        return failures == 0 ? 0 : 1;
    }

    private static IEnumerable<Type> BenchmarkTypes() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && BenchmarkMethods(t).Any())
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    private static IEnumerable<MethodInfo> BenchmarkMethods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.IsDefined(typeof(BenchmarkAttribute)))
            .OrderBy(m => m.MetadataToken);

    private static void InvokeAll(Type type, object instance, Type attribute)
    {
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.IsDefined(attribute)))
        {
            method.Invoke(instance, null);
        }
    }

    /// <summary>Calls the method through a typed delegate, so the measurement itself neither boxes nor allocates.</summary>
    private static (double Bytes, double Nanoseconds) Measure(MethodInfo method, object instance)
    {
        var delegateType = typeof(Func<>).MakeGenericType(method.ReturnType);
        var call = method.CreateDelegate(delegateType, instance);
        var measure = typeof(Program).GetMethod(nameof(MeasureCalls), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.ReturnType);
        return ((double, double))measure.Invoke(null, [call])!;
    }

    private static (double Bytes, double Nanoseconds) MeasureCalls<T>(Func<T> call)
    {
        for (var i = 0; i < WarmUpCalls; i++)
        {
            Sink<T>.Value = call();
        }

        var stopwatch = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredCalls; i++)
        {
            Sink<T>.Value = call();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        stopwatch.Stop();
        return ((double)allocated / MeasuredCalls, stopwatch.Elapsed.TotalNanoseconds / MeasuredCalls);
    }

    /// <summary>Keeps results alive so the calls cannot be optimized away.</summary>
    private static class Sink<T>
    {
        public static T? Value;
    }
}
