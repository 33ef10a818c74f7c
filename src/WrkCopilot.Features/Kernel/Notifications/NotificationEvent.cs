using System.Text.Json;

namespace WrkCopilot.Features.Kernel.Notifications;

/// <summary>Who receives a notification event. Resolved by <see cref="NotificationJob"/> when it runs, not when it is written.</summary>
public static class AudienceKinds
{
    /// <summary>Members holding <c>admin</c> in the event's tenant.</summary>
    public const string TenantAdmins = "tenant_admins";

    /// <summary>Every member of the event's tenant (e.g. the client side of a message).</summary>
    public const string TenantUsers = "tenant_users";

    /// <summary>Every member of the operator tenant (WRK's staff).</summary>
    public const string Staff = "staff";

    /// <summary>One user: in the event's tenant when a member there, else in the operator tenant when staff.</summary>
    public const string User = "user";
}

/// <summary>
/// The audience of an event. <see cref="StaffOnly"/> events (internal notes, staff-only tasks) only ever reach members of
/// the operator tenant and the operator tenant's Slack, whatever the kind. <see cref="ExceptUserId"/> leaves out the actor.
/// </summary>
public sealed record NotificationAudience(string Kind, Guid? UserId = null, bool StaffOnly = false, Guid? ExceptUserId = null)
{
    public static NotificationAudience TenantAdmins(Guid? except = null) => new(AudienceKinds.TenantAdmins, ExceptUserId: except);

    public static NotificationAudience TenantUsers(Guid? except = null) => new(AudienceKinds.TenantUsers, ExceptUserId: except);

    public static NotificationAudience Staff(Guid? except = null) => new(AudienceKinds.Staff, StaffOnly: true, ExceptUserId: except);

    public static NotificationAudience User(Guid userId, bool staffOnly) => new(AudienceKinds.User, userId, staffOnly);
}

/// <summary>
/// The payload of a <c>notification</c> outbox row: the event that happened (<see cref="Event"/>, e.g. <c>message.created</c>),
/// what to show, who receives it, and the event's data (ids, never secrets).
/// </summary>
public sealed record NotificationEvent(string Event, string Title, string? Body, NotificationAudience Audience, JsonElement Data)
{
    public const string JobType = "notification";

    /// <summary>A readable title for events written without one: <c>quote.sent</c> → "Quote sent".</summary>
    public static string DefaultTitle(string eventType)
    {
        var words = eventType.Replace('.', ' ').Replace('_', ' ').Trim();
        return words.Length == 0 ? "Notification" : char.ToUpperInvariant(words[0]) + words[1..];
    }
}

/// <summary>Delivery channels; a channel that is not configured is skipped and logged, never an error.</summary>
public static class NotificationChannels
{
    public const string InApp = "in_app";
    public const string Email = "email";
    public const string Slack = "slack";
}
