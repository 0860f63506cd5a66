namespace Van;

/// <summary>
/// Handles requests to an address registered with <c>MapService</c>: returns the reply's bytes (ignored for one-way
/// messages), which may point into <see cref="VanRequest.Body"/>: Van encodes the reply before it reuses the request.
/// Throwing fails the call with a <see cref="VanRemoteException"/> carrying the exception's type and message (never its
/// stack trace). The token is cancelled at the caller's deadline, when the caller cancels, or when the host stops. It
/// belongs to this call only until the handler's task completes: Van reuses its source for later calls, so do not keep
/// the token, or register on it, beyond that (as <see cref="VanRequest.Body"/>).
/// </summary>
public delegate ValueTask<ReadOnlyMemory<byte>> VanRequestHandler(VanRequest request, CancellationToken cancellationToken);
