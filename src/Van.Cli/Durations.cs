using System.Globalization;

namespace Van.Cli;

/// <summary>Durations on the command line: a number and a unit (<c>30s</c>, <c>15m</c>, <c>2h</c>, <c>7d</c>), or several run together (<c>1h30m</c>).</summary>
internal static class Durations
{
    /// <exception cref="FormatException">The text is not such a duration, or it is zero.</exception>
    public static TimeSpan Parse(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        var total = TimeSpan.Zero;
        var i = 0;
        var s = text.Trim();
        if (s.Length == 0)
        {
            throw Bad(text, what);
        }

        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start || i == s.Length || !long.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                throw Bad(text, what);
            }

            var unit = char.ToLowerInvariant(s[i++]) switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                _ => throw Bad(text, what),
            };
            try
            {
                total += unit * n;
            }
            catch (OverflowException)
            {
                throw Bad(text, what);
            }
        }

        return total > TimeSpan.Zero ? total : throw new FormatException($"{what} '{text}' must be longer than zero.");
    }

    private static FormatException Bad(string text, string what) =>
        new($"{what} '{text}' is not a duration such as 30s, 15m, 2h or 7d.");
}
