// Sample application of the DotNet preset: answers GET / on the port of
// ASPNETCORE_HTTP_PORTS (8080 in the preset).
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

const string greeting = "hello from the dotnet preset";

app.MapGet("/", () => $"{greeting} (.NET {Environment.Version}, uid {Environment.GetEnvironmentVariable("APP_UID") ?? "?"})");
app.MapGet("/healthz", () => Results.Ok());

app.Run();
