namespace Van;

/// <summary>A call on the virtual application network failed; <see cref="Address"/> names the service called.</summary>
public abstract class VanException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected VanException(string address, string message, Exception? innerException = null)
        : base(message, innerException) => Address = address;

    /// <summary>The address the call was for.</summary>
    public string Address { get; }
}
