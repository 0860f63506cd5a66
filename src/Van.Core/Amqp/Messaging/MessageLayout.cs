namespace Van.Core.Amqp.Messaging;

/// <summary>
/// Where the sections of one encoded message lie (offsets from its start, each end exclusive; an absent section is
/// empty), as <see cref="MessageReader"/> found them: a router keeps it with the message so that each hop scans the
/// sections once, not once per reader.
/// </summary>
internal readonly record struct MessageLayout(
    int Length,
    int HeaderStart,
    int HeaderEnd,
    int DeliveryAnnotationsStart,
    int DeliveryAnnotationsEnd,
    int MessageAnnotationsStart,
    int MessageAnnotationsEnd,
    int PropertiesStart,
    int PropertiesEnd,
    int ApplicationPropertiesStart,
    int ApplicationPropertiesEnd,
    int BodyStart,
    int BodyEnd,
    int FooterStart,
    int FooterEnd);
