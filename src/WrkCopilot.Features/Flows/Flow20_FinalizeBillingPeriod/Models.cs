namespace WrkCopilot.Features.Flows.Flow20_FinalizeBillingPeriod;

/// <summary>Creates the draft period of a client workspace's month, or refreshes its figures (a finalised one is returned as is).</summary>
public sealed class UpsertBillingPeriodRequest
{
    public Guid? TenantId { get; set; }

    /// <summary><c>YYYY-MM</c> (UTC month).</summary>
    public string? Period { get; set; }
}

public sealed class FinalizeBillingPeriodRequest
{
    public Guid Id { get; set; }
}
