using System.Globalization;

namespace Van.LoadTest.Reporting;

/// <summary>Numbers as the table shows them: three significant figures or whole numbers, invariant culture.</summary>
internal static class Format
{
    public static string Number(double? value) => value switch
    {
        null => "—",
        double.NaN => "—",
        >= 1000 or <= -1000 => value.Value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 or <= -100 => value.Value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 or <= -10 => value.Value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    public static string Ratio(double? ratio) => ratio is { } r && !double.IsNaN(r) ? r.ToString("0.00", CultureInfo.InvariantCulture) + "×" : "—";
}
