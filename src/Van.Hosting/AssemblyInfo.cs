// The router arrives with its own issue; the project exists so the layering is in place from the start.
[assembly: System.CLSCompliant(false)]
