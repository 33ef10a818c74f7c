using System.Net.Http.Headers;
using System.Text;

namespace WrkCopilot.Tests.Infrastructure;

/// <summary>Versions to capture requirements for (inserted as the owner, as Flow 8 would create them) and multipart uploads.</summary>
public static class ArrangeIngestion
{
    public const string EmptyBlueprint = """{"schema_version":1,"summary":"","sections":[],"metadata":{}}""";

    /// <summary>An automation with one version (<c>v1.0</c>) in <paramref name="status"/> and its project; returns the version id.</summary>
    public static async Task<Guid> IntakeVersionAsync(this WrkApp app, Guid tenantId, string status = "intake_in_progress",
        string blueprint = EmptyBlueprint)
    {
        var automation = Guid.CreateVersion7();
        var version = Guid.CreateVersion7();
        await app.ExecuteAsync("""
            INSERT INTO automations (id, tenant_id, name, created_at, updated_at) VALUES (@a, @t, 'Lead sync', now(), now());
            INSERT INTO automation_versions (id, tenant_id, automation_id, version, major, minor, status, blueprint_json,
                intake_progress, row_version, created_at, updated_at)
            VALUES (@v, @t, @a, 'v1.0', 1, 0, @s, @bp::jsonb, 0, 1, now(), now());
            INSERT INTO projects (id, tenant_id, automation_id, automation_version_id, name, type, status, pricing_status,
                checklist_progress, created_at, updated_at)
            VALUES (@p, @t, @a, @v, 'Lead sync', 'new_automation', @s, 'none', 0, now(), now());
            """, ("a", automation), ("t", tenantId), ("v", version), ("p", Guid.CreateVersion7()), ("s", status), ("bp", blueprint));
        return version;
    }

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
