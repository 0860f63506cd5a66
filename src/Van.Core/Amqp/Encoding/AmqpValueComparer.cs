using System.Collections;

namespace Van.Core.Amqp.Encoding;

/// <summary>Structural equality for decoded AMQP values: byte arrays, lists, maps and arrays compare by content.</summary>
public sealed class AmqpValueComparer : IEqualityComparer<object?>
{
    /// <summary>The shared instance.</summary>
    public static AmqpValueComparer Instance { get; } = new();

    /// <inheritdoc />
    public new bool Equals(object? x, object? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null)
        {
            return false;
        }

        switch (x)
        {
            case byte[] bx when y is byte[] by:
                return bx.AsSpan().SequenceEqual(by);
            case float fx when y is float fy:
                return fx.Equals(fy);
            case double dx when y is double dy:
                return dx.Equals(dy);
            case IDictionary mx when y is IDictionary my:
                if (mx.Count != my.Count)
                {
                    return false;
                }

                foreach (DictionaryEntry e in mx)
                {
                    if (!my.Contains(e.Key) || !Equals(e.Value, my[e.Key]))
                    {
                        return false;
                    }
                }

                return true;
            case IList lx when y is IList ly:
                // Arrays are typed: an empty int[] is not an empty string[] (non-empty ones differ by their elements).
                if (lx.Count != ly.Count || x.GetType().IsArray != y.GetType().IsArray
                    || (lx.Count == 0 && x is Array && ElementKind(x.GetType()) != ElementKind(y.GetType())))
                {
                    return false;
                }

                for (var i = 0; i < lx.Count; i++)
                {
                    if (!Equals(lx[i], ly[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return x.GetType() == y.GetType() && x.Equals(y);
        }
    }

    /// <summary>The AMQP element type of a .NET array type: nested arrays, maps and lists each count as one kind.</summary>
    private static Type ElementKind(Type arrayType)
    {
        var t = arrayType.GetElementType()!;
        if (t == typeof(Array) || t.IsArray)
        {
            return typeof(Array);
        }

        if (typeof(IDictionary).IsAssignableFrom(t))
        {
            return typeof(IDictionary);
        }

        return t != typeof(byte[]) && typeof(IList).IsAssignableFrom(t) ? typeof(IList) : t;
    }

    /// <inheritdoc />
    public int GetHashCode(object? obj) => obj switch
    {
        null => 0,
        byte[] b => b.Length,
        IDictionary d => d.Count,
        IList l => l.Count,
        _ => obj.GetHashCode(),
    };
}
