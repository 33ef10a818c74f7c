using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Data.Configurations;

internal sealed class WorkflowBindingConfiguration : IEntityTypeConfiguration<WorkflowBinding>
{
    public void Configure(EntityTypeBuilder<WorkflowBinding> b)
    {
        b.ToTable("workflow_bindings", t => t.HasCheckConstraint("ck_workflow_bindings_status", "status IN ('active','inactive','error')"));
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.HasIndex(x => x.WrkWorkflowId).IsUnique();
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId }).IsUnique();
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RunEventConfiguration : IEntityTypeConfiguration<RunEvent>
{
    public void Configure(EntityTypeBuilder<RunEvent> b)
    {
        b.ToTable("run_events", t => t.HasCheckConstraint("ck_run_events_status", "status IN ('running','succeeded','failed')"));
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.Property(x => x.Cost).HasColumnType("numeric(14,4)");
        b.Property(x => x.MetadataJson).HasColumnType("jsonb");
        b.HasIndex(x => new { x.WorkflowBindingId, x.RunId }).IsUnique();
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId, x.StartedAt });
        b.HasIndex(x => new { x.TenantId, x.CompletedAt });
        b.HasOne<WorkflowBinding>().WithMany().HasForeignKey(x => new { x.TenantId, x.WorkflowBindingId })
            .HasPrincipalKey(w => new { w.TenantId, w.Id }).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class UsageAggregateConfiguration : IEntityTypeConfiguration<UsageAggregate>
{
    public void Configure(EntityTypeBuilder<UsageAggregate> b)
    {
        b.ToTable("usage_aggregates", t => t.HasCheckConstraint("ck_usage_aggregates_granularity", "granularity IN ('day','month')"));
        b.Property(x => x.TotalCost).HasColumnType("numeric(14,4)");
        b.HasIndex(x => new { x.AutomationVersionId, x.PeriodStart, x.PeriodEnd }).IsUnique();
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId, x.Granularity, x.PeriodStart });
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CredentialRefConfiguration : IEntityTypeConfiguration<CredentialRef>
{
    public void Configure(EntityTypeBuilder<CredentialRef> b)
    {
        b.ToTable("credential_refs", t => t.HasCheckConstraint("ck_credential_refs_status", "status IN ('pending','connected','failed')"));
        b.Property(x => x.System).HasMaxLength(100);
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId, x.System }).IsUnique();
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AlertThresholdConfiguration : IEntityTypeConfiguration<AlertThreshold>
{
    public void Configure(EntityTypeBuilder<AlertThreshold> b)
    {
        b.ToTable("alert_thresholds");
        b.Property(x => x.FailureRatePct).HasColumnType("numeric(5,2)");
        b.Property(x => x.VolumePctOfCommitted).HasColumnType("numeric(7,2)");
        b.Property(x => x.MonthlyBudget).HasColumnType("numeric(14,2)");
        b.HasIndex(x => x.TenantId).IsUnique();
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> b)
    {
        b.ToTable("alerts", t => t.HasCheckConstraint("ck_alerts_status", "status IN ('open','acknowledged')"));
        b.Property(x => x.Value).HasColumnType("numeric(14,4)");
        b.HasIndex(x => new { x.TenantId, x.Kind, x.AutomationVersionId, x.PeriodKey }).IsUnique().AreNullsDistinct(false);
        b.HasIndex(x => new { x.TenantId, x.Status, x.CreatedAt });
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}
