# Exercises the .NET pipeline: glob COPY *.csproj, restore, publish, aspnet runtime, ENTRYPOINT.
FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build
WORKDIR /source
COPY *.csproj ./
RUN dotnet restore
COPY . .
RUN dotnet publish -c Release -o out

FROM mcr.microsoft.com/dotnet/aspnet:8.0
WORKDIR /app
COPY --from=build /source/out .
ENTRYPOINT ["dotnet", "learningapp.dll"]
