var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => "hello from dotnet");
app.Run();
