using System.Reflection;

namespace Van.Samples.Tests;

/// <summary>
/// Where the sample programs were built: the project's build records each referenced sample's DLL path in an
/// <see cref="AssemblyMetadataAttribute"/> named <c>Sample:NAME</c> (see EmbedSamplePaths in the .csproj).
/// </summary>
internal static class Samples
{
    public const string Backend = "TwoSites.Backend";
    public const string Frontend = "TwoSites.Frontend";
    public const string ProtonClient = "ProtonClient";
    public const string Quickstart = "Quickstart";

    /// <summary>The full path of a sample's DLL.</summary>
    public static string DllOf(string name)
    {
        var key = "Sample:" + name;
        var path = typeof(Samples).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"This test assembly records no path for sample '{name}': add it as a ProjectReference with OutputItemType=\"SampleProgram\".");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"Sample '{name}' is not built at {path}; build Van.sln (or this test project) first.", path);
    }
}
