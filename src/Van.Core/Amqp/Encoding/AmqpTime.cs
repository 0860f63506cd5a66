namespace Van.Core.Amqp.Encoding;

/// <summary>Conversions between AMQP timestamps (ms since the Unix epoch) and <see cref="DateTime"/>.</summary>
public static class AmqpTime
{
    /// <summary>Milliseconds since the Unix epoch for a date (treated as UTC unless local).</summary>
    public static long ToUnixMilliseconds(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
    }

    /// <summary>The UTC date for a count of milliseconds since the Unix epoch, clamped to DateTime's range.</summary>
    public static DateTime FromUnixMilliseconds(long milliseconds)
    {
        const long maxMs = (3155378975999999999L - 621355968000000000L) / 10000L;
        const long minMs = -62135596800000L;
        var clamped = Math.Clamp(milliseconds, minMs, maxMs);
        return new DateTime(DateTime.UnixEpoch.Ticks + (clamped * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }
}
