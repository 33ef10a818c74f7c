using System.Text;
using System.Text.Json;
using ErrorOr;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Kernel.Http;
using WrkCopilot.Features.Kernel.Tenancy;

namespace WrkCopilot.Features.Flows.Flow10_UpdateBlueprint;

/// <summary>Flow 10: read and replace a version's blueprint; the write itself is the shared <see cref="BlueprintWriter"/>.</summary>
internal sealed class BlueprintHandler(ResourceScope scope, BlueprintWriter writer, IHttpContextAccessor http) : IHandler
{
    public async Task<ErrorOr<BlueprintView>> GetAsync(GetBlueprintRequest req, CancellationToken ct)
    {
        var version = await scope.VersionAsync(req.Id, ct);
        return version is null ? AppErrors.NotFound("Automation version") : View(version);
    }

    public async Task<ErrorOr<BlueprintView>> PutAsync(PutBlueprintRequest req, CancellationToken ct)
    {
        // "*" would match any version and so defeat the point: a blueprint PUT must name the version it edits.
        if (string.IsNullOrWhiteSpace(req.IfMatch) || req.IfMatch.Trim() == "*")
        {
            return AppErrors.PreconditionRequired(
                "Send If-Match with the ETag of your last GET of this blueprint (not *), so that a concurrent edit is never overwritten.");
        }
        var expected = RowVersionETag.ParseIfMatch(req.IfMatch);
        if (expected.IsError)
        {
            return expected.Errors;
        }
        var version = await scope.VersionAsync(req.Id, ct);
        if (version is null)
        {
            return AppErrors.NotFound("Automation version");
        }
        var raw = req.Blueprint.ValueKind == JsonValueKind.Undefined ? "" : req.Blueprint.GetRawText();
        var written = await writer.WriteAsync(version,
            new BlueprintWrite(req.Blueprint, Encoding.UTF8.GetByteCount(raw), BlueprintSources.Api, expected.Value), ct);
        return written.IsError ? written.Errors : View(written.Value.Version);
    }

    private BlueprintView View(AutomationVersion v)
    {
        if (http.HttpContext is { } ctx)
        {
            ctx.Response.Headers.ETag = RowVersionETag.Format(v.RowVersion);
        }
        var doc = v.BlueprintJson.RootElement;
        return new BlueprintView(v.Id, v.AutomationId, v.Version, v.Status, BlueprintWriter.IsEditable(v), v.IntakeProgress,
            BlueprintDiff.StepCount(doc), v.RowVersion, v.UpdatedAt, doc.Clone());
    }
}
