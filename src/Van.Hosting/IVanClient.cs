namespace Van;

/// <summary>
/// Calls services on the virtual application network by name, wherever they run: in this process, on the next machine
/// or in another cloud. Resolved from DI after <c>AddVirtualNetwork()</c>; thread-safe, one per host.
/// </summary>
/// <remarks>
/// Payloads of type <c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/> or <see cref="Memory{T}"/> of bytes go as they are;
/// anything else goes through the host's <see cref="IVanSerializer"/> (System.Text.Json by default). Every call fails
/// with a <see cref="VanException"/> naming the address: <see cref="VanNoRouteException"/>,
/// <see cref="VanRequestTimeoutException"/>, <see cref="VanRemoteException"/>, <see cref="VanRejectedException"/> or
/// <see cref="VanLinkLostException"/>; cancelling the token throws <see cref="OperationCanceledException"/>; a reply the
/// serializer cannot read throws the serializer's own exception; a call after the host stopped throws
/// <see cref="InvalidOperationException"/>.
/// </remarks>
public interface IVanClient
{
    /// <summary>This process's node id.</summary>
    string NodeId { get; }

    /// <summary>Sends <paramref name="request"/> to a service and returns its reply's bytes.</summary>
    ValueTask<ReadOnlyMemory<byte>> RequestAsync(string address, ReadOnlyMemory<byte> request, VanCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Sends <paramref name="request"/> to a service and returns its reply, deserialized.</summary>
    ValueTask<TResponse> RequestAsync<TRequest, TResponse>(string address, TRequest request, VanCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a one-way message to one instance of a service; completes when the node serving it accepted it (its
    /// handler completed), and fails as a request does when nothing serves the address or the handler threw.
    /// </summary>
    ValueTask SendAsync<T>(string address, T message, VanCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a message to every subscriber of <paramref name="address"/> (each once, along the shortest paths), whatever
    /// the address's configured distribution. Completes when the copies have left this node; with no subscriber
    /// anywhere the message is dropped, as in any publish/subscribe system.
    /// </summary>
    ValueTask PublishAsync<T>(string address, T message, VanCallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Receives messages sent or published to <paramref name="address"/> while enumerating; the subscription starts with
    /// the enumeration and is withdrawn from the network when the enumerator is disposed, the token is cancelled or the
    /// node stops (the enumeration then ends without an exception).
    /// </summary>
    IAsyncEnumerable<T> SubscribeAsync<T>(string address, CancellationToken cancellationToken = default);

    /// <summary>
    /// A typed client for the service at <paramref name="address"/>: each interface method sends its argument (zero or
    /// one, plus an optional <see cref="CancellationToken"/>) with the method's name as the subject and returns the reply.
    /// </summary>
    T CreateProxy<T>(string address, VanCallOptions? options = null)
        where T : class;

    /// <summary>
    /// Waits until routing knows at least <paramref name="instances"/> nodes serving <paramref name="address"/> (for
    /// start-up ordering: "don't take traffic before orders is reachable"); the token bounds the wait.
    /// </summary>
    ValueTask WaitForServiceAsync(string address, int instances = 1, CancellationToken cancellationToken = default);

    /// <summary>The nodes this node knows to serve <paramref name="address"/>, cheapest first (itself first when it does).</summary>
    IReadOnlyList<string> NodesServing(string address);
}
