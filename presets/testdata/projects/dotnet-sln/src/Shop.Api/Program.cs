using Microsoft.Data.Sqlite;
using Shop.Core;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/products", () => Catalog.Products);
app.MapPost("/orders/{productId:int}", (int productId, IConfiguration config) =>
{
    using var db = new SqliteConnection(config.GetConnectionString("Orders"));
    db.Open();
    using var cmd = db.CreateCommand();
    cmd.CommandText = "CREATE TABLE IF NOT EXISTS orders (product INTEGER); INSERT INTO orders VALUES ($p)";
    cmd.Parameters.AddWithValue("$p", productId);
    cmd.ExecuteNonQuery();
    return Results.Created();
});

app.Run();
