using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Data.Configurations;

internal sealed class AutomationConfiguration : IEntityTypeConfiguration<Automation>
{
    public void Configure(EntityTypeBuilder<Automation> b)
    {
        b.ToTable("automations");
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Department).HasMaxLength(100);
        b.HasIndex(x => new { x.TenantId, x.CreatedAt, x.Id });
        b.HasIndex(x => new { x.TenantId, x.Department });
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AutomationVersionConfiguration : IEntityTypeConfiguration<AutomationVersion>
{
    public void Configure(EntityTypeBuilder<AutomationVersion> b)
    {
        b.ToTable("automation_versions", t => t.HasCheckConstraint("ck_automation_versions_status",
            "status IN ('intake_in_progress','needs_pricing','awaiting_client_approval','build_in_progress','qa_testing','ready_to_launch','live','paused','blocked','archived')"));
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.Property(x => x.Version).HasMaxLength(16);
        b.Property(x => x.Status).HasMaxLength(32);
        b.Property(x => x.StatusBeforeBlocked).HasMaxLength(32);
        b.Property(x => x.BlueprintJson).HasColumnType("jsonb");
        b.Property(x => x.RowVersion).IsConcurrencyToken();
        b.HasIndex(x => new { x.TenantId, x.AutomationId, x.Major, x.Minor }).IsUnique();
        b.HasIndex(x => new { x.TenantId, x.Status });
        // Backstop for launch (T8), which serialises per automation: never two live versions of one automation. A deferred
        // exclusion constraint (migration OneLiveVersionPerAutomation, raw SQL), so the order in which one launch's
        // UPDATEs reach the database does not matter: it is checked at commit.
        b.HasOne<Automation>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationId })
            .HasPrincipalKey(a => new { a.TenantId, a.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RequirementArtifactConfiguration : IEntityTypeConfiguration<RequirementArtifact>
{
    public void Configure(EntityTypeBuilder<RequirementArtifact> b)
    {
        b.ToTable("requirement_artifacts");
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.Property(x => x.FileName).HasMaxLength(255);
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId, x.CreatedAt });
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<StoredFile>().WithMany().HasForeignKey(x => new { x.TenantId, x.StoredFileId })
            .HasPrincipalKey(f => new { f.TenantId, f.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> b)
    {
        b.ToTable("stored_files");
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> b)
    {
        b.ToTable("projects", t =>
        {
            t.HasCheckConstraint("ck_projects_type", "type IN ('new_automation','revision')");
            t.HasCheckConstraint("ck_projects_pricing_status", "pricing_status IN ('none','draft','sent','signed','rejected')");
        });
        b.HasAlternateKey(x => new { x.TenantId, x.Id });
        b.Property(x => x.Name).HasMaxLength(200);
        b.HasIndex(x => new { x.TenantId, x.Status });
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId }).IsUnique();
        b.HasIndex(x => new { x.TenantId, x.AutomationId });
        b.HasOne<Automation>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationId })
            .HasPrincipalKey(a => new { a.TenantId, a.Id }).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Client>().WithMany().HasForeignKey(x => new { x.TenantId, x.ClientId })
            .HasPrincipalKey(c => new { c.TenantId, c.Id }).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}
