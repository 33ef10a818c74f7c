# syntax=docker/dockerfile:1
# Build: docker build -t wrk-copilot .   Run: docker run -e ConnectionStrings__Default=... -p 8080:8080 wrk-copilot
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props WrkCopilot.sln dotnet-tools.json ./
COPY src/WrkCopilot/WrkCopilot.csproj src/WrkCopilot/
COPY src/WrkCopilot.Features/WrkCopilot.Features.csproj src/WrkCopilot.Features/
RUN dotnet restore src/WrkCopilot/WrkCopilot.csproj
COPY src/ src/
RUN dotnet publish src/WrkCopilot/WrkCopilot.csproj -c Release -o /app --no-restore /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_RUNNING_IN_CONTAINER=true
COPY --from=build /app ./
# The image's built-in non-root user (uid 1654).
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "WrkCopilot.dll"]
