namespace WrkCopilot.Features.Flows.Flow34_UpdateClientHealth;

/// <summary>Only health and its reason: any other member in the body is refused (400) by the strict JSON binder.</summary>
public sealed class UpdateClientHealthRequest
{
    public Guid Id { get; set; }

    /// <summary><c>good</c>, <c>at_risk</c> or <c>churn_risk</c>.</summary>
    public string HealthStatus { get; set; } = "";

    public string Reason { get; set; } = "";
}

/// <summary>The client after the change; <see cref="RetentionTaskId"/> is set when a worsening raised a retention task.</summary>
public sealed record ClientHealthView(
    Guid Id,
    Guid TenantId,
    string Name,
    string HealthStatus,
    string? HealthReason,
    Guid? OwnerId,
    Guid? RetentionTaskId,
    DateTimeOffset UpdatedAt);
