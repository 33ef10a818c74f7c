using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Data.Configurations;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox", t => t.HasCheckConstraint("ck_outbox_status", "status IN ('pending','processing','done','dead')"));
        b.Property(x => x.Queue).HasMaxLength(64);
        b.Property(x => x.Type).HasMaxLength(128);
        b.Property(x => x.Payload).HasColumnType("jsonb");
        // The dispatcher's claim query: due rows by availability.
        b.HasIndex(x => x.AvailableAt).HasFilter("status IN ('pending','processing')").HasDatabaseName("ix_outbox_due");
        b.HasIndex(x => new { x.Status, x.CreatedAt });
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("idempotency_keys");
        b.Property(x => x.Key).HasMaxLength(255);
        b.Property(x => x.ResponseHeaders).HasColumnType("jsonb");
        b.HasIndex(x => new { x.Principal, x.Route, x.Key }).IsUnique();
        b.HasIndex(x => x.ExpiresAt);
    }
}
