using System.Net;
using System.Net.Sockets;

namespace Van.Samples.Tests;

/// <summary>
/// A port that was free a moment ago, for programs that take a fixed port from their configuration. Another process
/// may take it before the program binds, so callers retry with a new one when the bind fails.
/// </summary>
internal static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
