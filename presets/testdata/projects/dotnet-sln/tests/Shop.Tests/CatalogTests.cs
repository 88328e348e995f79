using Shop.Core;

public class CatalogTests
{
    [Fact]
    public void HasProducts() => Assert.NotEmpty(Catalog.Products);
}
