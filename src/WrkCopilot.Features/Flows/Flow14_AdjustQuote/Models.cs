using FastEndpoints;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow14_AdjustQuote;

/// <summary>A partial update of a draft quote: only the fields sent change. Money is a string (<c>"1500.00"</c>, <c>"0.2500"</c>).</summary>
public sealed class AdjustQuoteRequest
{
    public Guid Id { get; set; }
    public string? SetupFee { get; set; }
    public string? UnitPrice { get; set; }
    public int? EstimatedVolume { get; set; }
    public string? Notes { get; set; }

    /// <summary>Optional: the quote's <c>row_version</c> last read; a stale one is 412.</summary>
    [FromHeader("If-Match", isRequired: false)]
    public string? IfMatch { get; set; }
}

public sealed class GetQuoteRequest
{
    public Guid Id { get; set; }
}

public sealed class ListVersionQuotesRequest : PageQuery
{
    public Guid Id { get; set; }
}
