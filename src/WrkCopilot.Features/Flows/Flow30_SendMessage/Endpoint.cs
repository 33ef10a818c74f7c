using ErrorOr;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Features.Flows.Flow30_SendMessage;

internal sealed class SendMessageEndpoint(MessagesHandler handler) : ApiEndpoint<SendMessageRequest, MessageView>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/messages");
        Idempotent();
        Access(AppRoles.ClientAdmin, AppRoles.ClientMember, AppRoles.OpsAdmin, AppRoles.CsAdmin, AppRoles.OperatorAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 30 — send a message on a project or a version; the other side is notified.";
            s.Description = "Exactly one of project_id and automation_version_id. Clients send `client` messages; staff send `ops` messages " +
                            "or `internal_note`s (never shown to a client), in the resource's own tenant. `system` is written by flows only. " +
                            "Attachments reference requirement artifacts of the same workspace.";
            s.Responses[201] = "The message.";
            s.Responses[400] = "Both or neither context ($.project_id), unknown type or `system` ($.type), empty text ($.text), " +
                               "an attachment that is not an artifact of this workspace ($.attachments[i].artifact_id), too many or too long tags ($.tags).";
            s.Responses[403] = "forbidden: a viewer, a client sending ops/internal_note, or staff sending a client message.";
            s.Responses[404] = "No such project or version in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<MessageView>> HandleRequestAsync(SendMessageRequest req, CancellationToken ct) => handler.SendAsync(req, ct);
}

internal sealed class ListProjectMessagesEndpoint(MessagesHandler handler) : ListEndpoint<ListProjectMessagesRequest, MessageView>
{
    public override void Configure()
    {
        Get("/v1/projects/{id}/messages");
        Access([.. AppRoles.AnyClient, .. AppRoles.Staff]);
        Summary(s =>
        {
            s.Summary = "Flow 30 — the messages of a project and its version, newest first (`?q=` searches the text).";
            s.Description = "A client never sees internal notes. Staff read in the project's own tenant.";
            s.Responses[404] = "No such project in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<Page<MessageView>>> HandleRequestAsync(ListProjectMessagesRequest req, CancellationToken ct) =>
        handler.ListForProjectAsync(req, ct);
}

internal sealed class ListAutomationMessagesEndpoint(MessagesHandler handler) : ListEndpoint<ListAutomationMessagesRequest, MessageView>
{
    public override void Configure()
    {
        Get("/v1/automations/{id}/messages");
        Access([.. AppRoles.AnyClient, .. AppRoles.Staff]);
        Summary(s =>
        {
            s.Summary = "Flow 30 — the messages of every project and version of an automation, newest first (`?q=` searches the text).";
            s.Description = "A client never sees internal notes. Staff read in the automation's own tenant.";
            s.Responses[404] = "No such automation in the caller's tenant.";
        });
    }

    protected override Task<ErrorOr<Page<MessageView>>> HandleRequestAsync(ListAutomationMessagesRequest req, CancellationToken ct) =>
        handler.ListForAutomationAsync(req, ct);
}
