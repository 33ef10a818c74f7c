using FastEndpoints;
using WrkCopilot.Features.Kernel.Automations;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow08_CreateAutomation;

public sealed class CreateAutomationRequest
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string? Department { get; set; }
    /// <summary>A member of the caller's workspace; the caller when omitted.</summary>
    public Guid? OwnerId { get; set; }
}

/// <summary>The automation, its first version (<c>v1.0</c>, intake) and the project that tracks it.</summary>
public sealed record AutomationCreated(AutomationView Automation, VersionSummary Version, Guid ProjectId);

public sealed class ListAutomationsRequest : PageQuery
{
    /// <summary>The automation's status (that of its newest version that is not archived).</summary>
    [QueryParam]
    public string? Status { get; set; }

    [QueryParam]
    public string? Department { get; set; }

    /// <summary>Case-insensitive substring of the name.</summary>
    [QueryParam]
    public string? Q { get; set; }

    /// <summary>Archived automations are left out unless true (or unless <c>status=archived</c>).</summary>
    [QueryParam, BindFrom("include_archived")]
    public bool? IncludeArchived { get; set; }
}

public sealed class GetAutomationRequest
{
    public Guid Id { get; set; }
}
