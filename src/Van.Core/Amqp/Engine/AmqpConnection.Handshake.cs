using System.Buffers;
using System.Buffers.Binary;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Amqp.Engine;

/// <summary>The handshake: protocol headers (§2.2), SASL (§5.3) on either side, and the open exchange.</summary>
public sealed partial class AmqpConnection
{
    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.HandshakeTimeout);
        try
        {
            if (IsServer)
            {
                await ServerHeadersAsync(timeout.Token);
            }
            else
            {
                await ClientHeadersAsync(timeout.Token);
            }

            lock (SyncRoot)
            {
                SendOpen();
            }

            _readerLoop = Task.Run(ReaderLoopAsync, CancellationToken.None);
            var open = await _remoteOpened.Task.WaitAsync(timeout.Token);
            StartHeartbeats(open);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await AbortAsync(new Error { Condition = ErrorCondition.ResourceLimitExceeded, Description = $"The handshake did not finish within handshake-timeout {_options.HandshakeTimeout.TotalSeconds:0.###} s." });
            throw new TimeoutException($"The AMQP handshake did not finish within {_options.HandshakeTimeout}.");
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            // The TLS handshake (run by the first read of an accepted TLS transport) failed; the message says why.
            var error = new Error { Condition = ErrorCondition.UnauthorizedAccess, Description = e.Message };
            Log.TlsHandshakeFailed(_logger, e.Message);
            await AbortAsync(null);
            throw new AmqpException(error, e);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer reset or vanished mid-handshake: report it as AMQP does, not as a raw transport error.
            var error = new Error { Condition = ErrorCondition.ConnectionForced, Description = "The transport failed during the handshake: " + e.Message };
            await AbortAsync(null);
            throw new AmqpException(error, e);
        }
        catch (Exception e) when (e is not AmqpException)
        {
            await AbortAsync(null);
            throw;
        }
        catch (AmqpException)
        {
            await AbortAsync(null);
            throw;
        }
    }

    private async Task ClientHeadersAsync(CancellationToken cancellationToken)
    {
        if (_options.Sasl is { } credentials)
        {
            WriteRaw(ProtocolHeader.Sasl);
            var header = await ReadHeaderAsync(cancellationToken);
            if (!ProtocolHeader.IsSasl(header))
            {
                throw new AmqpException(ErrorCondition.FramingError, $"The server answered the SASL header with {ProtocolHeader.Describe(header)}.");
            }

            var mechanisms = await ReadSaslFrameAsync(cancellationToken) as SaslMechanisms
                ?? throw new AmqpException(ErrorCondition.FramingError, "Expected sasl-mechanisms.");
            if (!Array.Exists(mechanisms.SaslServerMechanisms, m => m.Value == credentials.Mechanism))
            {
                throw new AmqpException(ErrorCondition.UnauthorizedAccess,
                    $"The server does not offer SASL {credentials.Mechanism} (it offers {string.Join(", ", mechanisms.SaslServerMechanisms)}).");
            }

            WriteSaslFrame(new SaslInit { Mechanism = new AmqpSymbol(credentials.Mechanism), InitialResponse = credentials.InitialResponse(), Hostname = _options.Hostname });
            while (true)
            {
                var frame = await ReadSaslFrameAsync(cancellationToken);
                if (frame is SaslOutcome outcome)
                {
                    if (outcome.Code != SaslCode.Ok)
                    {
                        throw new AmqpException(ErrorCondition.UnauthorizedAccess, $"SASL {credentials.Mechanism} authentication failed (code {outcome.Code}).");
                    }

                    break;
                }

                if (frame is SaslChallenge)
                {
                    // Neither ANONYMOUS nor PLAIN has challenges; answer empty so a lenient server can finish.
                    WriteSaslFrame(new SaslResponse { Response = [] });
                    continue;
                }

                throw new AmqpException(ErrorCondition.FramingError, $"Unexpected SASL frame {frame}.");
            }

            SaslMechanism = credentials.Mechanism;
            AuthenticatedUser = credentials.Mechanism switch
            {
                "PLAIN" => credentials.User,
                "EXTERNAL" => null, // We are the certificate's subject; the server decides what that means.
                _ => "anonymous",
            };
        }

        WriteRaw(ProtocolHeader.Amqp);
        var amqp = await ReadHeaderAsync(cancellationToken);
        if (!ProtocolHeader.IsAmqp(amqp))
        {
            throw new AmqpException(ErrorCondition.FramingError, $"The server answered the AMQP header with {ProtocolHeader.Describe(amqp)}.");
        }
    }

    private async Task ServerHeadersAsync(CancellationToken cancellationToken)
    {
        var header = await ReadHeaderAsync(cancellationToken);
        if (ProtocolHeader.IsSasl(header))
        {
            await ServerSaslAsync(cancellationToken);
            header = await ReadHeaderAsync(cancellationToken);
            if (!ProtocolHeader.IsAmqp(header))
            {
                await RefuseHeaderAsync(ProtocolHeader.Amqp, header);
            }

            WriteRaw(ProtocolHeader.Amqp);
            return;
        }

        if (ProtocolHeader.IsAmqp(header))
        {
            if (_options.SaslServer.Required)
            {
                await RefuseHeaderAsync(ProtocolHeader.Sasl, header);
            }

            WriteRaw(ProtocolHeader.Amqp);
            return;
        }

        // §2.2: answer with the header we do support, then close. A client that asked for the SASL protocol id
        // learns that SASL is what we speak; anyone else learns plain AMQP.
        await RefuseHeaderAsync(header.Length >= 5 && header[4] == 3 ? ProtocolHeader.Sasl : ProtocolHeader.Amqp, header);
    }

    private Task RefuseHeaderAsync(ReadOnlySpan<byte> supported, byte[] received)
    {
        Log.BadProtocolHeader(_logger, ProtocolHeader.Describe(received));
        WriteRaw(supported);
        return RefuseAsync(received);
    }

    private async Task RefuseAsync(byte[] received)
    {
        await ShutdownAsync(new Error { Condition = ErrorCondition.FramingError, Description = $"Unsupported protocol header {ProtocolHeader.Describe(received)}." });
        throw new AmqpException(ErrorCondition.FramingError, $"Unsupported protocol header: {ProtocolHeader.Describe(received)}.");
    }

    private async Task ServerSaslAsync(CancellationToken cancellationToken)
    {
        var sasl = _options.SaslServer;
        var offered = new List<AmqpSymbol>();
        var certificate = _transport.RemoteCertificate;
        if (sasl.AllowExternal && certificate is not null)
        {
            offered.Add(new AmqpSymbol("EXTERNAL"));
        }

        if (sasl.PlainValidator is not null)
        {
            offered.Add(new AmqpSymbol("PLAIN"));
        }

        if (sasl.AllowAnonymous)
        {
            offered.Add(new AmqpSymbol("ANONYMOUS"));
        }

        WriteRaw(ProtocolHeader.Sasl);
        WriteSaslFrame(new SaslMechanisms { SaslServerMechanisms = [.. offered] });
        var init = await ReadSaslFrameAsync(cancellationToken) as SaslInit
            ?? throw new AmqpException(ErrorCondition.FramingError, "Expected sasl-init.");
        var ok = false;
        string? why = null;
        switch (init.Mechanism.Value)
        {
            case "EXTERNAL" when sasl.AllowExternal:
                ok = TryExternal(certificate, init.InitialResponse, out why);
                if (ok)
                {
                    AuthenticatedUser = certificate!.Subject;
                }

                break;
            case "ANONYMOUS" when sasl.AllowAnonymous:
                ok = true;
                AuthenticatedUser = "anonymous";
                break;
            case "PLAIN" when sasl.PlainValidator is not null:
                if (TryParsePlain(init.InitialResponse, out var user, out var password))
                {
                    ok = sasl.PlainValidator(user, password);
                    if (ok)
                    {
                        AuthenticatedUser = user;
                    }
                }

                break;
        }

        WriteSaslFrame(new SaslOutcome { Code = ok ? SaslCode.Ok : SaslCode.Auth });
        if (ok)
        {
            SaslMechanism = init.Mechanism.Value;
        }
        else
        {
            Log.SaslFailed(_logger, init.Mechanism.Value);
            var error = new Error { Condition = ErrorCondition.UnauthorizedAccess, Description = $"SASL {init.Mechanism} authentication failed{(why is null ? "" : ": " + why)}." };
            await ShutdownAsync(error);
            throw new AmqpException(error);
        }
    }

    /// <summary>
    /// SASL EXTERNAL (RFC 4422 appendix A): the identity is the validated TLS client certificate's subject; the
    /// initial response is an authorization identity, where empty means "the certificate's" and anything else must
    /// equal the subject (we do not let one certificate act for another identity).
    /// </summary>
    private static bool TryExternal(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate, byte[]? response, out string? why)
    {
        if (certificate is null)
        {
            why = "no TLS client certificate was presented";
            return false;
        }

        if (response is null || response.Length == 0)
        {
            why = null;
            return true;
        }

        string authzid;
        try
        {
            authzid = new System.Text.UTF8Encoding(false, true).GetString(response);
        }
        catch (System.Text.DecoderFallbackException)
        {
            why = "the authorization identity is not UTF-8";
            return false;
        }

        if (authzid == certificate.Subject)
        {
            why = null;
            return true;
        }

        why = "the authorization identity does not match the client certificate";
        return false;
    }

    private static bool TryParsePlain(byte[]? response, out string user, out string password)
    {
        user = password = string.Empty;
        if (response is null)
        {
            return false;
        }

        var span = response.AsSpan();
        var first = span.IndexOf((byte)0);
        if (first < 0)
        {
            return false;
        }

        var rest = span[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return false;
        }

        try
        {
            var strict = new System.Text.UTF8Encoding(false, true);
            user = strict.GetString(rest[..second]);
            password = strict.GetString(rest[(second + 1)..]);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    private async ValueTask<byte[]> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= ProtocolHeader.Size)
            {
                var header = buffer.Slice(0, ProtocolHeader.Size).ToArray();
                input.AdvanceTo(buffer.GetPosition(ProtocolHeader.Size));
                return header;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                throw new AmqpException(ErrorCondition.ConnectionForced, _transport.IsSecure && !IsServer && buffer.IsEmpty
                    ? "The server closed the TLS connection before sending a protocol header: it may have refused our TLS client certificate (TLS 1.3 servers judge it after our handshake ends)."
                    : "The peer closed the connection during the protocol header exchange.");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async ValueTask<Performative> ReadSaslFrameAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (TryReadFrameSize(buffer, out var size))
            {
                // SASL frames are small; §5.3.1 caps them at 512 bytes until negotiated.
                if (size < FrameHeaderSize || size > 64 * 1024)
                {
                    throw new AmqpException(ErrorCondition.FramingError, $"Invalid SASL frame size {size}.");
                }

                if (buffer.Length >= size)
                {
                    var bytes = buffer.Slice(0, size).ToArray();
                    input.AdvanceTo(buffer.GetPosition(size));
                    Performative? body;
                    byte type;
                    try
                    {
                        body = FrameCodec.ReadFrameBody(bytes, out type, out _, out _);
                    }
                    catch (AmqpDecodeException e)
                    {
                        throw new AmqpException(ErrorCondition.FramingError, "Malformed SASL frame: " + e.Message);
                    }

                    if (type != FrameCodec.TypeSasl || body is null)
                    {
                        throw new AmqpException(ErrorCondition.FramingError, "Expected a SASL frame.");
                    }

                    return body;
                }
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                throw new AmqpException(ErrorCondition.ConnectionForced, "The peer closed the connection during SASL.");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryReadFrameSize(in ReadOnlySequence<byte> buffer, out uint size)
    {
        if (buffer.Length < 4)
        {
            size = 0;
            return false;
        }

        Span<byte> four = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(four);
        size = BinaryPrimitives.ReadUInt32BigEndian(four);
        return true;
    }
}
