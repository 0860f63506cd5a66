using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Van;

/// <summary>
/// System.Text.Json payloads. Give it options whose <see cref="JsonSerializerOptions.TypeInfoResolver"/> is a
/// source-generated <c>JsonSerializerContext</c> to serialize without reflection.
/// </summary>
public sealed class VanJsonSerializer : IVanSerializer
{
    /// <summary>Web defaults (camelCase, case-insensitive reads).</summary>
    public static VanJsonSerializer Default { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    private readonly JsonSerializerOptions _options;

    /// <summary>Uses <paramref name="options"/> (made read-only here).</summary>
    public VanJsonSerializer(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TypeInfoResolver is null)
        {
            options.TypeInfoResolver = new DefaultJsonTypeInfoResolver();
        }

        options.MakeReadOnly();
        _options = options;
    }

    /// <inheritdoc/>
    public string? ContentType => "application/json";

    /// <inheritdoc/>
    public void Serialize<T>(IBufferWriter<byte> output, T value)
    {
        using var writer = new Utf8JsonWriter(output);
        JsonSerializer.Serialize(writer, value, (JsonTypeInfo<T>)_options.GetTypeInfo(typeof(T)));
    }

    /// <inheritdoc/>
    public T Deserialize<T>(ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize(data, (JsonTypeInfo<T>)_options.GetTypeInfo(typeof(T)))!;
}
