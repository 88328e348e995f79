using Shop.Core;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/", () => Results.Content(
    "<h1>Shop</h1><ul>" + string.Concat(Catalog.Products.Select(p => $"<li>{p.Name}: {p.Price}</li>")) + "</ul>",
    "text/html"));

app.Run();
