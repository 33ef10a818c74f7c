using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Data.Configurations;

internal sealed class QuoteConfiguration : IEntityTypeConfiguration<Quote>
{
    public void Configure(EntityTypeBuilder<Quote> b)
    {
        b.ToTable("quotes", t =>
        {
            t.HasCheckConstraint("ck_quotes_status", "status IN ('draft','sent','signed','rejected','superseded','expired')");
            t.HasCheckConstraint("ck_quotes_kind", "kind IN ('initial','amendment')");
        });
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.Property(x => x.SetupFee).HasColumnType("numeric(14,2)");
        b.Property(x => x.UnitPrice).HasColumnType("numeric(14,4)");
        b.Property(x => x.EffectiveUnitPrice).HasColumnType("numeric(14,4)");
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.RowVersion).IsConcurrencyToken();
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId, x.CreatedAt });
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PricingOverrideConfiguration : IEntityTypeConfiguration<PricingOverride>
{
    public void Configure(EntityTypeBuilder<PricingOverride> b)
    {
        b.ToTable("pricing_overrides");
        b.Property(x => x.SetupFeeOverride).HasColumnType("numeric(14,2)");
        b.Property(x => x.UnitPriceOverride).HasColumnType("numeric(14,4)");
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId, x.EffectiveFrom });
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Quote>().WithMany().HasForeignKey(x => new { x.TenantId, x.QuoteId })
            .HasPrincipalKey(q => new { q.TenantId, q.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BillingPeriodConfiguration : IEntityTypeConfiguration<BillingPeriod>
{
    public void Configure(EntityTypeBuilder<BillingPeriod> b)
    {
        b.ToTable("billing_periods", t => t.HasCheckConstraint("ck_billing_periods_status", "status IN ('draft','finalized')"));
        b.Property(x => x.TotalSpend).HasColumnType("numeric(14,2)");
        b.Property(x => x.Currency).HasMaxLength(3);
        b.Property(x => x.LinesJson).HasColumnType("jsonb");
        b.HasIndex(x => new { x.TenantId, x.PeriodStart }).IsUnique();
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ClientConfiguration : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> b)
    {
        b.ToTable("clients", t => t.HasCheckConstraint("ck_clients_health", "health_status IN ('good','at_risk','churn_risk')"));
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.CommittedMonthlySpend).HasColumnType("numeric(14,2)");
        b.HasIndex(x => x.TenantId).IsUnique();
        b.HasIndex(x => new { x.TenantId, x.HealthStatus });
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}
