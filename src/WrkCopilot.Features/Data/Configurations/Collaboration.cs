using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Data.Configurations;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        b.ToTable("messages", t =>
        {
            t.HasCheckConstraint("ck_messages_type", "type IN ('client','ops','internal_note','system')");
            t.HasCheckConstraint("ck_messages_visibility", "visibility IN ('client','staff')");
            t.HasCheckConstraint("ck_messages_context", "project_id IS NOT NULL OR automation_version_id IS NOT NULL");
        });
        b.Property(x => x.AttachmentsJson).HasColumnType("jsonb");
        b.HasIndex(x => new { x.TenantId, x.ProjectId, x.CreatedAt });
        b.HasIndex(x => new { x.TenantId, x.AutomationVersionId, x.CreatedAt });
        b.HasOne<Project>().WithMany().HasForeignKey(x => new { x.TenantId, x.ProjectId })
            .HasPrincipalKey(p => new { p.TenantId, p.Id }).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AutomationVersion>().WithMany().HasForeignKey(x => new { x.TenantId, x.AutomationVersionId })
            .HasPrincipalKey(v => new { v.TenantId, v.Id }).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TaskItemConfiguration : IEntityTypeConfiguration<TaskItem>
{
    public void Configure(EntityTypeBuilder<TaskItem> b)
    {
        b.ToTable("tasks", t =>
        {
            t.HasCheckConstraint("ck_tasks_status", "status IN ('todo','in_progress','done','blocked','cancelled')");
            t.HasCheckConstraint("ck_tasks_visibility", "visibility IN ('client','staff')");
            t.HasCheckConstraint("ck_tasks_context_type", "context_type IN ('project','automation_version','client','internal')");
        });
        b.Property(x => x.Title).HasMaxLength(300);
        b.Property(x => x.RowVersion).IsConcurrencyToken();
        b.HasIndex(x => new { x.TenantId, x.Status, x.CreatedAt });
        b.HasIndex(x => new { x.TenantId, x.ContextType, x.ContextId });
        b.HasIndex(x => new { x.TenantId, x.AssigneeId });
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.AssigneeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> b)
    {
        b.ToTable("audit_logs");
        b.Property(x => x.MetadataJson).HasColumnType("jsonb");
        b.HasIndex(x => new { x.TenantId, x.CreatedAt });
        b.HasIndex(x => new { x.TenantId, x.ResourceType, x.ResourceId });
        b.HasIndex(x => new { x.TenantId, x.UserId });
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("notifications");
        b.Property(x => x.DataJson).HasColumnType("jsonb");
        b.HasIndex(x => new { x.TenantId, x.UserId, x.CreatedAt });
        // A retried notification job never sends twice: one row per (event, recipient, channel). NULLS NOT DISTINCT so
        // the tenant-addressed Slack row (no user) is unique per event too.
        b.HasIndex(x => new { x.EventId, x.UserId, x.Channel }).IsUnique().AreNullsDistinct(false).HasFilter("event_id IS NOT NULL");
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}
