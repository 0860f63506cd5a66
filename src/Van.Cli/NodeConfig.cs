using System.Text.Json;
using System.Text.Json.Serialization;

namespace Van.Cli;

/// <summary>The <c>--config FILE</c> of <c>van node</c> (JSON); command-line flags add to or override it.</summary>
internal sealed class NodeConfig
{
    public string? Id { get; set; }

    public string? Site { get; set; }

    public List<string> Listen { get; set; } = [];

    public List<string> Connect { get; set; } = [];

    public List<string> Echo { get; set; } = [];

    /// <summary>Address prefix → closest, balanced or multicast.</summary>
    public Dictionary<string, string> Distributions { get; set; } = [];

    public int? HelloIntervalMs { get; set; }

    /// <summary>The node's certificate (PEM); relative paths are relative to the config file.</summary>
    public string? TlsCert { get; set; }

    /// <summary>The private key of <see cref="TlsCert"/> (PEM).</summary>
    public string? TlsKey { get; set; }

    /// <summary>The site CA bundle (PEM).</summary>
    public string? TlsCa { get; set; }

    /// <summary>amqps listeners admit clients without a certificate (nodes still need one).</summary>
    public bool? TlsClientCertOptional { get; set; }

    /// <summary>Link token files to link with.</summary>
    public List<string> LinkTokens { get; set; } = [];

    /// <summary>A <c>user:password</c> file for SASL PLAIN clients.</summary>
    public string? PlainUsers { get; set; }

    public static NodeConfig Load(string path)
    {
        NodeConfig config;
        try
        {
            config = JsonSerializer.Deserialize(File.ReadAllText(path), NodeConfigJsonContext.Default.NodeConfig)
                ?? throw new FormatException($"{path}: the file is empty.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such config file.", path, e);
        }

        // File names in the config are relative to the config file, not to wherever van runs.
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        config.TlsCert = Resolve(dir, config.TlsCert);
        config.TlsKey = Resolve(dir, config.TlsKey);
        config.TlsCa = Resolve(dir, config.TlsCa);
        config.PlainUsers = Resolve(dir, config.PlainUsers);
        config.LinkTokens = [.. config.LinkTokens.Select(t => Resolve(dir, t)!)];
        return config;
    }

    private static string? Resolve(string dir, string? file) => file is null ? null : Path.GetFullPath(file, dir);
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(NodeConfig))]
internal sealed partial class NodeConfigJsonContext : JsonSerializerContext;
