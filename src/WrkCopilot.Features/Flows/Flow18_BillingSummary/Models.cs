using FastEndpoints;

namespace WrkCopilot.Features.Flows.Flow18_BillingSummary;

public sealed class TenantBillingSummaryRequest
{
    public Guid TenantId { get; set; }

    /// <summary><c>YYYY-MM</c> (UTC month); default: the current month.</summary>
    [QueryParam]
    public string? Period { get; set; }
}

public sealed class ClientBillingSummaryRequest
{
    /// <summary>The client record (<c>/v1/admin/clients/{id}</c>).</summary>
    public Guid Id { get; set; }

    [QueryParam]
    public string? Period { get; set; }
}
