namespace Van.Internal;

/// <summary>
/// Compares the keys of running handlers (the caller's reply address and the call's id) for the table every remote call
/// enters and leaves. The id tells calls apart almost always, so the hash leaves out the address's characters (a string
/// hash costs more than the rest of the lookup) and takes only its length; equal addresses are usually the same
/// instance, which <see cref="string.Equals(string, string)"/> sees at once.
/// </summary>
internal sealed class RunningCallComparer : IEqualityComparer<(string ReplyTo, WireId Id)>
{
    public static readonly RunningCallComparer Instance = new();

    private RunningCallComparer()
    {
    }

    public bool Equals((string ReplyTo, WireId Id) x, (string ReplyTo, WireId Id) y) =>
        x.Id == y.Id && string.Equals(x.ReplyTo, y.ReplyTo);

    public int GetHashCode((string ReplyTo, WireId Id) key) => HashCode.Combine(key.Id.FastHash(), key.ReplyTo.Length);
}
