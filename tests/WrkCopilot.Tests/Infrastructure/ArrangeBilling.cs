using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>The app with a fake clock (billing is about months): tests move <see cref="Clock"/> and mint fresh tokens after.</summary>
public class BillingApp : WrkApp
{
    public MovableClock Clock { get; } = new(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<TimeProvider>();
            s.AddSingleton<TimeProvider>(Clock);
        });
    }
}

/// <summary>
/// A clock tests set to any moment, backwards too (unlike FakeTimeProvider): the tests of one class share the app and each
/// sets the time it needs. Timers still run on real time.
/// </summary>
public sealed class MovableClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _ticks, now.UtcTicks);
}

/// <summary>Arranging quotes, bindings, run events and overrides as the owner (the flows under test read them).</summary>
public static class ArrangeBilling
{
    public static DateTimeOffset Utc(int y, int m, int d, int h = 0, int min = 0, int s = 0) => new(y, m, d, h, min, s, TimeSpan.Zero);

    /// <summary>A fresh token for <paramref name="caller"/> at the fake clock's time (tokens live 15 minutes).</summary>
    public static async Task<string> FreshTokenAsync(this WrkApp app, Caller caller, params string[] roles) =>
        (await app.TokenForAsync(caller.UserId, caller.TenantId, roles.Length == 0 ? ["admin"] : roles)).AccessToken;

    public static async Task<Guid> InsertQuoteAsync(this WrkApp app, Guid tenantId, Guid versionId, string status = "signed",
        string kind = "initial", decimal setupFee = 1000m, decimal unitPrice = 0.25m, decimal? effectiveUnitPrice = null,
        DateTimeOffset? signedAt = null, int? committedVolume = null, Guid? supersedes = null, DateTimeOffset? expiresAt = null,
        DateTimeOffset? createdAt = null)
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO quotes (id, tenant_id, automation_version_id, kind, status, currency, setup_fee, unit_price, estimated_volume,
                committed_volume, effective_unit_price, supersedes_quote_id, sent_at, expires_at, signed_at, row_version, created_at, updated_at)
            VALUES (@id, @t, @v, @k, @s, 'USD', @fee, @up, 1000, @cv, @eup, @sup, @sent, @exp, @signed, 1, @created, @created)
            """, ("id", id), ("t", tenantId), ("v", versionId), ("k", kind), ("s", status), ("fee", setupFee), ("up", unitPrice),
            ("cv", (object?)committedVolume ?? DBNull.Value), ("eup", effectiveUnitPrice ?? unitPrice), ("sup", (object?)supersedes ?? DBNull.Value),
            ("sent", status == "draft" ? DBNull.Value : (object)(signedAt ?? DateTimeOffset.UtcNow).AddDays(-1)),
            ("exp", (object?)expiresAt ?? DBNull.Value), ("signed", (object?)signedAt ?? DBNull.Value),
            ("created", createdAt ?? (signedAt ?? DateTimeOffset.UtcNow).AddDays(-2)));
        return id;
    }

    public static async Task<Guid> InsertBindingAsync(this WrkApp app, Guid tenantId, Guid versionId)
    {
        var id = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO workflow_bindings (id, tenant_id, automation_version_id, wrk_workflow_id, status, created_at, updated_at)
            VALUES (@id, @t, @v, @w, 'active', now(), now())
            """, ("id", id), ("t", tenantId), ("v", versionId), ("w", "wf_" + Guid.NewGuid().ToString("N")));
        return id;
    }

    /// <summary>A run event; <paramref name="recordedAt"/> is when it arrived (created_at/updated_at), default its completion.</summary>
    public static Task<int> InsertRunAsync(this WrkApp app, Guid tenantId, Guid versionId, Guid bindingId, DateTimeOffset completedAt,
        string status = "succeeded", DateTimeOffset? recordedAt = null) => app.ExecuteAsync("""
        INSERT INTO run_events (id, tenant_id, workflow_binding_id, automation_version_id, run_id, status, started_at, completed_at,
            metadata_json, created_at, updated_at)
        VALUES (@id, @t, @b, @v, @r, @s, @started, @completed, '{}'::jsonb, @rec, @rec)
        """, ("id", Guid.CreateVersion7()), ("t", tenantId), ("b", bindingId), ("v", versionId), ("r", "run_" + Guid.NewGuid().ToString("N")),
        ("s", status), ("started", completedAt.AddSeconds(-1)), ("completed", status == "running" ? DBNull.Value : completedAt),
        ("rec", recordedAt ?? completedAt));
}

public static class ArrangeBillingAudit
{
    /// <summary>The audit row a signed volume upgrade writes when it changes the committed monthly spend.</summary>
    public static Task<int> InsertAuditRowForUpgradeAsync(this WrkApp app, Guid tenantId, DateTimeOffset at, string before, string after) =>
        app.ExecuteAsync("""
            INSERT INTO audit_logs (id, tenant_id, action_type, resource_type, metadata_json, created_at)
            VALUES (@id, @t, 'committed_monthly_spend_changed', 'client', jsonb_build_object('committed_monthly_spend_before', @b::text,
                'committed_monthly_spend', @a::text), @at)
            """, ("id", Guid.CreateVersion7()), ("t", tenantId), ("b", before), ("a", after), ("at", at));
}
