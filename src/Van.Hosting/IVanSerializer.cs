using System.Buffers;

namespace Van;

/// <summary>
/// Turns payloads into bytes and back. The default is <see cref="VanJsonSerializer"/>; register another with
/// <c>IVanBuilder.UseSerializer</c>. Raw byte payloads (<c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/>,
/// <see cref="Memory{T}"/>) never reach the serializer.
/// </summary>
public interface IVanSerializer
{
    /// <summary>The AMQP content-type sent with serialized payloads (for example "application/json"), or null.</summary>
    string? ContentType { get; }

    /// <summary>Writes <paramref name="value"/> to <paramref name="output"/>.</summary>
    void Serialize<T>(IBufferWriter<byte> output, T value);

    /// <summary>Reads a <typeparamref name="T"/> from <paramref name="data"/>.</summary>
    T Deserialize<T>(ReadOnlySpan<byte> data);
}
