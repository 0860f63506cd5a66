namespace Van.Internal;

/// <summary>The payload of a call without an argument or a result: an empty body.</summary>
internal readonly struct NoPayload;
