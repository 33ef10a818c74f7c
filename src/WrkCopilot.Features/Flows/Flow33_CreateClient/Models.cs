using FastEndpoints;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow33_CreateClient;

public sealed class CreateClientRequest
{
    public Guid? TenantId { get; set; }
    public string Name { get; set; } = "";
    public string? Industry { get; set; }
    public Guid? OwnerId { get; set; }

    /// <summary>Money as a JSON string, e.g. <c>"1500.00"</c>.</summary>
    public string CommittedMonthlySpend { get; set; } = "";
}

public sealed class ListClientsRequest : PageQuery
{
    /// <summary><c>good</c>, <c>at_risk</c> or <c>churn_risk</c>.</summary>
    [QueryParam]
    public string? Health { get; set; }

    [QueryParam, BindFrom("owner_id")]
    public Guid? OwnerId { get; set; }

    /// <summary>Case-insensitive search in the client's name.</summary>
    [QueryParam]
    public string? Q { get; set; }
}

public sealed class GetClientRequest
{
    public Guid Id { get; set; }
}

/// <summary>
/// A client as the ops console lists it. Money is a string with two decimals; <see cref="SpendThisPeriod"/> is the
/// usage cost of the current calendar month (UTC).
/// </summary>
public sealed record ClientView(
    Guid Id,
    Guid TenantId,
    string Name,
    string? Industry,
    string HealthStatus,
    string? HealthReason,
    Guid? OwnerId,
    string CommittedMonthlySpend,
    string SpendThisPeriod,
    int OpenAlerts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ClientProject(
    Guid Id,
    Guid AutomationId,
    Guid AutomationVersionId,
    string Name,
    string Type,
    string Status,
    string PricingStatus,
    Guid? OwnerId,
    DateOnly? Eta,
    int ChecklistProgress,
    DateTimeOffset CreatedAt);

/// <summary>One client with its projects (newest first, at most <see cref="ClientsHandler.MaxProjects"/>).</summary>
public sealed record ClientDetail(
    Guid Id,
    Guid TenantId,
    string Name,
    string? Industry,
    string HealthStatus,
    string? HealthReason,
    Guid? OwnerId,
    string CommittedMonthlySpend,
    string SpendThisPeriod,
    int OpenAlerts,
    IReadOnlyList<ClientProject> Projects,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
