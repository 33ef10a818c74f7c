using Serilog;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Features.Kernel.Http;

namespace WrkCopilot.Hosting;

internal static class RequestLogEnricher
{
    public static void Enrich(IDiagnosticContext diagnostics, HttpContext http)
    {
        diagnostics.Set("request_id", RequestIds.Get(http));
        if (http.RequestServices.GetService<CurrentSession>()?.Value is { } session)
        {
            diagnostics.Set("tenant_id", session.TenantId);
            diagnostics.Set("user_id", session.UserId);
            diagnostics.Set("api_key_id", session.ApiKeyId);
        }
    }
}
