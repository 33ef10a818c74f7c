using System.Net.Http.Headers;
using System.Text;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>Versions to capture requirements for (inserted as the owner, as Flow 8 would create them) and multipart uploads.</summary>
public static class ArrangeIngestion
{
    public const string EmptyBlueprint = """{"schema_version":1,"summary":"","sections":[],"metadata":{}}""";

    /// <summary>An automation with one version (<c>v1.0</c>) in <paramref name="status"/> and its project; returns the version id.</summary>
    public static async Task<Guid> IntakeVersionAsync(this WrkApp app, Guid tenantId, string status = "intake_in_progress",
        string blueprint = EmptyBlueprint) =>
        (await app.VersionAsync(tenantId, status, blueprint: blueprint)).VersionId;

    public static string RequirementsUrl(Guid versionId) => $"/v1/automation-versions/{versionId}/requirements";

    /// <summary>A multipart form with each file in a part named <c>files</c> (or <paramref name="field"/>).</summary>
    public static MultipartFormDataContent Form(IEnumerable<(string FileName, byte[] Content)> files, string field = "files", string? boundary = null)
    {
        var form = boundary is null ? new MultipartFormDataContent() : new MultipartFormDataContent(boundary);
        foreach (var (name, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, field, name);
        }
        return form;
    }

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, Guid versionId, params (string FileName, byte[] Content)[] files) =>
        client.PostAsync(RequirementsUrl(versionId), Form(files));

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, Guid versionId, string fileName, string text) =>
        client.UploadAsync(versionId, (fileName, Encoding.UTF8.GetBytes(text)));
}
