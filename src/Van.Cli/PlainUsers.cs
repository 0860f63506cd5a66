using System.Security.Cryptography;
using System.Text;

namespace Van.Cli;

/// <summary>
/// <c>--plain-users FILE</c>: <c>user:password</c> lines (blank lines and lines starting with '#' are skipped) that
/// SASL PLAIN clients are checked against. Passwords are compared as SHA-256 digests in constant time, and an unknown
/// user costs the same as a wrong password.
/// </summary>
internal static class PlainUsers
{
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line is not <c>user:password</c>, or a user is listed twice.</exception>
    public static Func<string, string, bool> Load(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such users file.", path, e);
        }

        var users = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException($"{path}:{i + 1}: expected user:password.");
            }

            if (!users.TryAdd(line[..colon], Digest(line[(colon + 1)..])))
            {
                throw new FormatException($"{path}:{i + 1}: user '{line[..colon]}' is listed twice.");
            }
        }

        if (users.Count == 0)
        {
            throw new FormatException($"{path}: no user:password lines.");
        }

        var unknown = Digest(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        return (user, password) =>
        {
            var expected = users.GetValueOrDefault(user) ?? unknown;
            return CryptographicOperations.FixedTimeEquals(expected, Digest(password)) && users.ContainsKey(user);
        };
    }

    private static byte[] Digest(string password) => SHA256.HashData(Encoding.UTF8.GetBytes(password));
}
