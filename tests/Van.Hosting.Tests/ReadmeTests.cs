using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Van.Hosting.Tests;

/// <summary>The README's C# must compile against the current public API, as a user's project would build it.</summary>
public partial class ReadmeTests
{
    // What Microsoft.NET.Sdk's implicit usings give a console project.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Fact]
    public void Readme_CSharpBlocks_Compile()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(blocks);
        var references = References();
        foreach (var code in blocks)
        {
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            var compilation = CSharpCompilation.Create(
                "ReadmeSnippet",
                [CSharpSyntaxTree.ParseText(code, parse), CSharpSyntaxTree.ParseText(ImplicitUsings, parse)],
                references,
                new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
            using var output = new MemoryStream();
            var result = compilation.Emit(output);
            var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray();
            Assert.True(result.Success, $"A README C# block does not compile:\n{string.Join("\n", errors)}\n--- block ---\n{code}");
        }
    }

    private static MetadataReference[] References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return [.. platform.Concat(local)
            .Where(IsManaged)
            .GroupBy(Path.GetFileName)
            .Select(g => MetadataReference.CreateFromFile(g.First()))];
    }

    private static bool IsManaged(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    // The source file's own path (fixed at compile time) finds the repository whatever the build's output layout.
    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(source)!); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Van.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Van.sln above {source}.");
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
