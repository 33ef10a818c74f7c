using System.Globalization;
using System.Net;
using System.Text.Json;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>A version submitted for pricing through Flows 8, 10 and 11, and its draft quote.</summary>
public sealed record PricedVersion(Guid AutomationId, Guid VersionId, Guid ProjectId, Guid QuoteId);

/// <summary>Quotes through the API: submit (Flow 11), send (Flow 14), sign (Flow 15).</summary>
public static class ArrangeQuotes
{
    public static string QuoteUrl(Guid id) => $"/v1/quotes/{id}";

    public static string QuoteStatusUrl(Guid id) => $"/v1/quotes/{id}/status";

    public static string SubmitUrl(Guid versionId) => $"/v1/automation-versions/{versionId}/submit";

    /// <summary>Creates an automation with <see cref="BlueprintDocs.Example"/> (or <paramref name="blueprint"/>) and submits it: T1.</summary>
    public static async Task<PricedVersion> SubmittedVersionAsync(this WrkApp app, Caller admin, string? blueprint = null)
    {
        var created = await app.CreateAutomationAsync(admin.AccessToken);
        await app.SaveBlueprintAsync(admin.AccessToken, created.VersionId, blueprint ?? BlueprintDocs.Example);
        using var client = app.Client(admin.AccessToken);
        var body = await (await client.PostAsync(SubmitUrl(created.VersionId), null)).ExpectAsync(HttpStatusCode.OK);
        return new PricedVersion(created.AutomationId, created.VersionId, created.ProjectId,
            body.GetProperty("data").GetProperty("quote").GetProperty("id").GetGuid());
    }

    /// <summary>Submitted, then sent by <paramref name="ops"/>: T2.</summary>
    public static async Task<PricedVersion> SentQuoteAsync(this WrkApp app, Caller admin, Caller ops)
    {
        var priced = await app.SubmittedVersionAsync(admin);
        using var client = app.Client(ops.AccessToken);
        await (await client.PatchJsonAsync(QuoteStatusUrl(priced.QuoteId), new { status = "sent" })).ExpectAsync(HttpStatusCode.OK);
        return priced;
    }

    public static async Task<JsonElement> GetQuoteAsync(this WrkApp app, string bearer, Guid quoteId)
    {
        using var client = app.Client(bearer);
        return (await (await client.GetAsync(QuoteUrl(quoteId))).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");
    }

    /// <summary>Moves a sent quote's <c>expires_at</c> into the past.</summary>
    public static Task<int> ExpireQuoteAsync(this WrkApp app, Guid quoteId) =>
        app.ExecuteAsync("UPDATE quotes SET expires_at = now() - interval '1 minute' WHERE id = @id", ("id", quoteId));
}
