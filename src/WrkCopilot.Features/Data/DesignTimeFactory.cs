using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Data;

/// <summary>Used by <c>dotnet ef migrations add</c> only; no database is contacted.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<AppDbContext>()
            .UseNpgsql("Host=localhost;Database=design", o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .Options,
        new TenantContext());
}
