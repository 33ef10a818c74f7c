using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Data.Configurations;

internal sealed class StreamEventConfiguration : IEntityTypeConfiguration<StreamEvent>
{
    public void Configure(EntityTypeBuilder<StreamEvent> b)
    {
        b.ToTable("stream_events", t => t.HasCheckConstraint("ck_stream_events_visibility", "visibility IN ('client','staff')"));
        b.Property(x => x.Id).UseIdentityAlwaysColumn();
        b.Property(x => x.Type).HasMaxLength(64);
        b.Property(x => x.Data).HasColumnType("jsonb");
        // Every read is "this tenant's events after id N".
        b.HasIndex(x => new { x.TenantId, x.Id });
        b.HasIndex(x => x.CreatedAt);
        b.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
