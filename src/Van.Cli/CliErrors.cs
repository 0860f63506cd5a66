using System.Security.Cryptography;

namespace Van.Cli;

/// <summary>Which exceptions are the user's input being wrong (a one-line message and exit code 2) rather than a bug.</summary>
internal static class CliErrors
{
    public static bool IsUserError(Exception e) =>
        e is FormatException or ArgumentException or IOException or UnauthorizedAccessException or CryptographicException or InvalidOperationException;
}
