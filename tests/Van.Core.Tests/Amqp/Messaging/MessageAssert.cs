using System.Collections;
using Van.Core.Amqp.Encoding;
using Van.Core.Amqp.Messaging;

namespace Van.Core.Tests.Amqp.Messaging;

/// <summary>Field-by-field equality of messages and sections, comparing values with <see cref="AmqpValueComparer"/>.</summary>
internal static class MessageAssert
{
    private static readonly AmqpValueComparer Values = AmqpValueComparer.Instance;

    public static void Equal(AmqpMessage expected, AmqpMessage actual)
    {
        Equal(expected.Header, actual.Header);
        EqualMap(expected.DeliveryAnnotations, actual.DeliveryAnnotations, "delivery-annotations");
        EqualMap(expected.MessageAnnotations, actual.MessageAnnotations, "message-annotations");
        Equal(expected.Properties, actual.Properties);
        EqualMap(expected.ApplicationProperties, actual.ApplicationProperties, "application-properties");
        Assert.Equal(expected.Data is null, actual.Data is null);
        if (expected.Data is not null)
        {
            Assert.Equal(
                expected.Data.Select(d => Convert.ToHexString(d.Span)),
                actual.Data!.Select(d => Convert.ToHexString(d.Span)));
        }

        Assert.Equal(expected.Sequence is null, actual.Sequence is null);
        if (expected.Sequence is not null)
        {
            Assert.Equal(expected.Sequence.Count, actual.Sequence!.Count);
            for (var i = 0; i < expected.Sequence.Count; i++)
            {
                Assert.True(Values.Equals(expected.Sequence[i], actual.Sequence[i]), $"amqp-sequence section {i} differs");
            }
        }

        Assert.Equal(expected.HasValue, actual.HasValue);
        Assert.True(Values.Equals(expected.Value, actual.Value), $"amqp-value differs: {expected.Value} vs {actual.Value}");
        EqualMap(expected.Footer, actual.Footer, "footer");
    }

    public static void Equal(Header? expected, Header? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is null)
        {
            return;
        }

        Assert.Equal(expected.Durable, actual!.Durable);
        Assert.Equal(expected.Priority, actual.Priority);
        Assert.Equal(expected.Ttl, actual.Ttl);
        Assert.Equal(expected.FirstAcquirer, actual.FirstAcquirer);
        Assert.Equal(expected.DeliveryCount, actual.DeliveryCount);
    }

    public static void Equal(Properties? expected, Properties? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is null)
        {
            return;
        }

        Assert.True(Values.Equals(expected.MessageId, actual!.MessageId), "message-id differs");
        Assert.True(Values.Equals(expected.UserId, actual.UserId), "user-id differs");
        Assert.Equal(expected.To, actual.To);
        Assert.Equal(expected.Subject, actual.Subject);
        Assert.Equal(expected.ReplyTo, actual.ReplyTo);
        Assert.True(Values.Equals(expected.CorrelationId, actual.CorrelationId), "correlation-id differs");
        Assert.Equal(expected.ContentType, actual.ContentType);
        Assert.Equal(expected.ContentEncoding, actual.ContentEncoding);
        Assert.Equal(expected.AbsoluteExpiryTime, actual.AbsoluteExpiryTime);
        Assert.Equal(expected.CreationTime, actual.CreationTime);
        Assert.Equal(expected.GroupId, actual.GroupId);
        Assert.Equal(expected.GroupSequence, actual.GroupSequence);
        Assert.Equal(expected.ReplyToGroupId, actual.ReplyToGroupId);
    }

    private static void EqualMap(IDictionary? expected, IDictionary? actual, string what)
    {
        Assert.Equal(expected is null, actual is null);
        Assert.True(Values.Equals(expected, actual), $"{what} differs");
    }
}
