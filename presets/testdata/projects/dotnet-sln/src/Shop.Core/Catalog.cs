namespace Shop.Core;

public sealed record Product(int Id, string Name, decimal Price);

public static class Catalog
{
    public static IReadOnlyList<Product> Products { get; } =
    [
        new(1, "Teapot", 24.50m),
        new(2, "Cup", 6.00m),
    ];
}
