using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Data;

public sealed class AppDbContext(DbContextOptions<AppDbContext> options, TenantContext tenant) : DbContext(options)
{
    internal TenantContext Tenant { get; } = tenant;

    // The EF query filter reads these per query (EF parameterises context members).
    private Guid TenantFilterId => Tenant.TenantId ?? Guid.Empty;
    private bool StaffReadAll => Tenant.StaffRead;

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<PasswordResetToken> PasswordResetTokens => Set<PasswordResetToken>();
    public DbSet<Automation> Automations => Set<Automation>();
    public DbSet<AutomationVersion> AutomationVersions => Set<AutomationVersion>();
    public DbSet<RequirementArtifact> RequirementArtifacts => Set<RequirementArtifact>();
    public DbSet<StoredFile> StoredFiles => Set<StoredFile>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<WorkflowBinding> WorkflowBindings => Set<WorkflowBinding>();
    public DbSet<RunEvent> RunEvents => Set<RunEvent>();
    public DbSet<UsageAggregate> UsageAggregates => Set<UsageAggregate>();
    public DbSet<CredentialRef> CredentialRefs => Set<CredentialRef>();
    public DbSet<AlertThreshold> AlertThresholds => Set<AlertThreshold>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<Quote> Quotes => Set<Quote>();
    public DbSet<PricingOverride> PricingOverrides => Set<PricingOverride>();
    public DbSet<BillingPeriod> BillingPeriods => Set<BillingPeriod>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<TaskItem> Tasks => Set<TaskItem>();
    public DbSet<AuditLog> AuditLogs => Set<AuditLog>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<StreamEvent> StreamEvents => Set<StreamEvent>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        foreach (var type in modelBuilder.Model.GetEntityTypes().Select(t => t.ClrType).ToList())
        {
            if (typeof(ITenantScoped).IsAssignableFrom(type))
            {
                ApplyTenantFilterMethod.MakeGenericMethod(type).Invoke(this, [modelBuilder]);
            }
        }
    }

    private static readonly System.Reflection.MethodInfo ApplyTenantFilterMethod =
        typeof(AppDbContext).GetMethod(nameof(ApplyTenantFilter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;

    private void ApplyTenantFilter<T>(ModelBuilder modelBuilder) where T : class, ITenantScoped
    {
        Expression<Func<T, bool>> filter = e => e.TenantId == TenantFilterId || StaffReadAll;
        modelBuilder.Entity<T>().HasQueryFilter(filter);
    }

    private readonly List<Func<CancellationToken, Task>> _afterCommit = [];

    /// <summary>
    /// Work that must see the committed state, not the open transaction — e.g. forgetting cached roles, so a
    /// concurrent request cannot re-cache the old ones before the change is visible. Run by the unit of work
    /// after its commit; dropped on rollback.
    /// </summary>
    public void AfterCommit(Func<CancellationToken, Task> action) => _afterCommit.Add(action);

    /// <summary>
    /// Runs every after-commit action even when the client has gone or one fails: the change is committed, so
    /// a failure here (e.g. a cache that is down) is logged, never turned into an error answer.
    /// </summary>
    internal async Task RunAfterCommitAsync()
    {
        var actions = _afterCommit.ToList();
        _afterCommit.Clear();
        foreach (var action in actions)
        {
            try
            {
                await action(CancellationToken.None);
            }
            catch (Exception ex)
            {
                this.GetService<ILoggerFactory>().CreateLogger<AppDbContext>()
                    .LogError(ex, "An after-commit action failed; the committed change stands");
            }
        }
    }

    internal void DiscardAfterCommit() => _afterCommit.Clear();

    /// <summary>True once a unit of work on this context has committed (what the idempotency middleware must not undo).</summary>
    internal bool HasCommitted { get; set; }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        EnforceTenantOnWrites();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        EnforceTenantOnWrites();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>
    /// A write whose tenant differs from the session's throws instead of silently crossing tenants
    /// (RLS would refuse it too; this fails earlier with a clearer message). Also bumps row versions.
    /// </summary>
    private void EnforceTenantOnWrites()
    {
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted &&
                entry.Entity is ITenantScoped scoped)
            {
                if (entry.State == EntityState.Added && scoped.TenantId == Guid.Empty && Tenant.TenantId is { } current)
                {
                    scoped.TenantId = current;
                }
                if (Tenant.TenantId is null || scoped.TenantId != Tenant.TenantId)
                {
                    throw new CrossTenantWriteException(entry.Metadata.ClrType.Name, scoped.TenantId, Tenant.TenantId);
                }
            }
            if (entry.State == EntityState.Modified && entry.Metadata.FindProperty("RowVersion") is { } rowVersion)
            {
                var prop = entry.Property(rowVersion.Name);
                if (!prop.IsModified)
                {
                    prop.CurrentValue = (long)prop.OriginalValue! + 1;
                }
            }
        }
    }
}

public sealed class CrossTenantWriteException(string entity, Guid rowTenant, Guid? sessionTenant)
    : InvalidOperationException($"Refused to write {entity} of tenant {rowTenant} from a session scoped to {sessionTenant?.ToString() ?? "no tenant"}.");
