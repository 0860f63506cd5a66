namespace Van;

/// <summary>
/// The service's handler threw. Its exception's type name and message are carried back; its stack trace stays on the
/// node that ran it (and in that node's log).
/// </summary>
public sealed class VanRemoteException : VanException
{
    /// <summary>Creates the exception.</summary>
    public VanRemoteException(string address, string remoteType, string remoteMessage)
        : base(address, $"The service at '{address}' failed: {remoteType}: {remoteMessage}")
    {
        RemoteType = remoteType;
        RemoteMessage = remoteMessage;
    }

    /// <summary>The full name of the exception type the handler threw.</summary>
    public string RemoteType { get; }

    /// <summary>The exception's message.</summary>
    public string RemoteMessage { get; }
}
