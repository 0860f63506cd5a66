using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Framing;

namespace Van.Core.Tests.Vectors;

/// <summary>
/// Checks a decoded framing object against a typed annotation, generically: the annotation's type name and
/// descriptor, every field it lists (by spec name, mapped to the property of the same name in PascalCase), and
/// that every field it does not list is at its spec default.
/// </summary>
internal static class AnnotationMatcher
{
    private static readonly Dictionary<Type, ulong> NestedDescriptors = new()
    {
        [typeof(Source)] = Descriptors.Source,
        [typeof(Target)] = Descriptors.Target,
        [typeof(Error)] = Descriptors.Error,
    };

    public static void Match(object? actual, AnnotatedDescribed expected, string path)
    {
        Assert.True(actual is not null, $"{path}: expected {expected.Name} but got null");
        var type = actual.GetType();
        Assert.True(SpecName(type) == expected.Name, $"{path}: expected {expected.Name} but got {SpecName(type)}");
        var descriptor = actual switch
        {
            Performative p => p.Descriptor,
            DeliveryState s => s.Descriptor,
            Target { IsCoordinator: true } => Descriptors.Coordinator,
            _ => NestedDescriptors[type],
        };
        Assert.True(descriptor == expected.Code, $"{path}: descriptor 0x{descriptor:x} but the annotation says 0x{expected.Code:x}");

        var defaults = Activator.CreateInstance(type, nonPublic: true);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (field, value) in expected.Fields)
        {
            var property = type.GetProperty(PascalCase(field));
            Assert.True(property is not null, $"{path}: {type.Name} has no property for field '{field}'");
            listed.Add(property.Name);
            MatchValue(property.GetValue(actual), property.GetValue(defaults), value, $"{path}.{field}");
        }

        foreach (var property in FieldProperties(type).Where(p => !listed.Contains(p.Name)))
        {
            var value = property.GetValue(actual);
            var defaultValue = property.GetValue(defaults);
            Assert.True(
                Equals(value, defaultValue),
                $"{path}.{property.Name} is absent from the annotation, so should be {defaultValue ?? "null"}, not {value}");
        }
    }

    /// <summary>The spec fields of a framing type: its settable public properties.</summary>
    public static IEnumerable<PropertyInfo> FieldProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.Name != nameof(Target.IsCoordinator));

    private static void MatchValue(object? actual, object? defaultValue, AnnotatedValue expected, string path)
    {
        switch (expected)
        {
            case AnnotatedScalar { IsNull: true }:
                Assert.True(Equals(actual, defaultValue), $"{path}: null on the wire means the default {defaultValue ?? "null"}, not {actual}");
                break;
            case AnnotatedDescribed described:
                Match(actual, described, path);
                break;
            case AnnotatedArray array:
                var items = Assert.IsType<AmqpSymbol[]>(actual);
                Assert.Equal(array.Items.Select(i => ((AnnotatedScalar)i).Text), items.Select(s => s.Value));
                break;
            case AnnotatedMap map:
                var dictionary = Assert.IsAssignableFrom<IDictionary>(actual);
                Assert.Equal(map.Entries.Count, dictionary.Count);
                foreach (var (key, value) in map.Entries)
                {
                    var k = ToClr((AnnotatedScalar)key);
                    Assert.True(dictionary.Contains(k!), $"{path}: no key {key}");
                    if (value is AnnotatedScalar scalar)
                    {
                        Assert.True(AmqpValueComparer.Instance.Equals(ToClr(scalar), dictionary[k!]), $"{path}[{k}]: expected {scalar} but got {dictionary[k!]}");
                    }
                }

                break;
            case AnnotatedScalar scalar:
                MatchScalar(actual, scalar, path);
                break;
        }
    }

    private static void MatchScalar(object? actual, AnnotatedScalar expected, string path)
    {
        var clr = ToClr(expected);
        var ok = actual switch
        {
            LinkRole role => clr is bool b && b == (role == LinkRole.Receiver),
            Enum e => Convert.ToUInt64(e, CultureInfo.InvariantCulture) == Convert.ToUInt64(clr, CultureInfo.InvariantCulture),
            DeliveryTag tag => clr is byte[] bytes && tag.ToArray().AsSpan().SequenceEqual(bytes),
            uint or ulong or ushort or byte => Convert.ToUInt64(actual, CultureInfo.InvariantCulture) == Convert.ToUInt64(clr, CultureInfo.InvariantCulture),
            _ => AmqpValueComparer.Instance.Equals(clr, actual),
        };
        Assert.True(ok, $"{path}: the annotation says {expected.Encoding}:{expected.Text} but the decoder gave {FormatValue(actual)}");
    }

    /// <summary>The .NET value the generic decoder would give for an annotated scalar.</summary>
    public static object? ToClr(AnnotatedScalar scalar) => scalar.Encoding switch
    {
        "null" => null,
        "true" => true,
        "false" => false,
        "uint0" => 0u,
        "ulong0" => 0ul,
        "smalluint" or "uint" => uint.Parse(scalar.Text!, CultureInfo.InvariantCulture),
        "smallulong" or "ulong" => ulong.Parse(scalar.Text!, CultureInfo.InvariantCulture),
        "ubyte" => byte.Parse(scalar.Text!, CultureInfo.InvariantCulture),
        "ushort" => ushort.Parse(scalar.Text!, CultureInfo.InvariantCulture),
        "smallint" or "int" => int.Parse(scalar.Text!, CultureInfo.InvariantCulture),
        "smalllong" or "long" => long.Parse(scalar.Text!, CultureInfo.InvariantCulture),
        "str8" or "str32" => scalar.Text,
        "sym8" or "sym32" => new AmqpSymbol(scalar.Text!),
        "vbin8" or "vbin32" => Convert.FromHexString(scalar.Text!.StartsWith("0x", StringComparison.Ordinal) ? scalar.Text[2..] : scalar.Text),
        _ => throw new FormatException($"Unknown annotated encoding '{scalar.Encoding}'."),
    };

    /// <summary>Open → open, SaslMechanisms → sasl-mechanisms, Target with IsCoordinator → coordinator.</summary>
    public static string SpecName(Type type)
    {
        var name = new StringBuilder();
        foreach (var c in type.Name)
        {
            if (char.IsUpper(c) && name.Length > 0)
            {
                name.Append('-');
            }

            name.Append(char.ToLowerInvariant(c));
        }

        return name.ToString();
    }

    /// <summary>container-id → ContainerId.</summary>
    public static string PascalCase(string field) =>
        string.Concat(field.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static string FormatValue(object? value) => value switch
    {
        null => "null",
        byte[] b => "0x" + Convert.ToHexString(b),
        _ => value.ToString() ?? "",
    };
}
