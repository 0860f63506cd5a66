namespace TwoSites.Contracts;

/// <summary>An order as the caller sends it.</summary>
/// <param name="Id">The caller's id for the order (echoed in the receipt).</param>
/// <param name="Item">What is ordered; must not be empty.</param>
/// <param name="Quantity">How many, from 1 to 1,000.</param>
public sealed record Order(string Id, string Item, int Quantity);
