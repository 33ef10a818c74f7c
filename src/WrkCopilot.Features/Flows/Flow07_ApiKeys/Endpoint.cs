using ErrorOr;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Flows.Flow07_ApiKeys;

// Client admins only: keys grant automation/run/usage permissions, which only client workspaces have;
// the operator tenant gets no keys, so a leaked key can never carry staff reach.
internal sealed class CreateApiKeyEndpoint(ApiKeysHandler handler) : ApiEndpoint<CreateApiKeyRequest, ApiKeyCreated>
{
    protected override int SuccessStatus => 201;

    public override void Configure()
    {
        Post("/v1/api-keys");
        Access(AppRoles.ClientAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 7 — create an API key for this workspace; the key is shown once.";
            s.Responses[201] = "Created; `key` is returned only in this response.";
            s.Responses[400] = "Missing name, empty or unknown permissions ($.permissions), expiry in the past ($.expires_at).";
        });
    }

    protected override Task<ErrorOr<ApiKeyCreated>> HandleRequestAsync(CreateApiKeyRequest req, CancellationToken ct) =>
        handler.CreateAsync(req, ct);
}

internal sealed class ListApiKeysEndpoint(ApiKeysHandler handler) : ListEndpoint<ListApiKeysRequest, ApiKeyView>
{
    public override void Configure()
    {
        Get("/v1/api-keys");
        Access(AppRoles.ClientAdmin);
        Summary(s => s.Summary = "Flow 7 — this workspace's API keys, newest first (never their secrets).");
    }

    protected override Task<ErrorOr<Page<ApiKeyView>>> HandleRequestAsync(ListApiKeysRequest req, CancellationToken ct) =>
        handler.ListAsync(req, ct);
}

internal sealed class RevokeApiKeyEndpoint(ApiKeysHandler handler) : ApiEndpoint<RevokeApiKeyRequest, Success>
{
    public override void Configure()
    {
        Delete("/v1/api-keys/{id}");
        Access(AppRoles.ClientAdmin);
        Summary(s =>
        {
            s.Summary = "Flow 7 — revoke an API key; the next request with it is refused (401).";
            s.Responses[204] = "Revoked (or already revoked).";
            s.Responses[404] = "Unknown key, or another tenant's.";
        });
    }

    protected override Task<ErrorOr<Success>> HandleRequestAsync(RevokeApiKeyRequest req, CancellationToken ct) =>
        handler.RevokeAsync(req, ct);
}
