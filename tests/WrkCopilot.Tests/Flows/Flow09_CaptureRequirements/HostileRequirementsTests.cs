using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using WrkCopilot.Features.Integrations.Requirements;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeIngestion;

namespace WrkCopilot.Tests.Flows.Flow09_CaptureRequirements;

/// <summary>Inputs built to hurt: none may cause a 5xx, hang a worker or exhaust memory.</summary>
public sealed class HostileRequirementsTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task A_refusal_under_an_Idempotency_Key_keeps_its_status_and_a_conflict_is_not_replayed()
    {
        var admin = await app.WorkspaceAdminAsync();
        var live = await app.IntakeVersionAsync(admin.TenantId, "live");
        using var client = app.Client(admin.AccessToken);
        client.DefaultRequestHeaders.Add("Idempotency-Key", "hostile-1");

        var first = await client.UploadAsync(live, "a.md", "# A\n- step");
        var body = await first.ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal("version_not_editable", body.GetProperty("code").GetString());
        await app.SetVersionStatusAsync(live, "intake_in_progress");

        // The conflict depended on the moment: the same key runs again once the version is in intake.
        var second = await client.UploadAsync(live, "a.md", "# A\n- step");
        await second.ExpectAsync(HttpStatusCode.Created);
        Assert.False(second.Headers.Contains("Idempotent-Replayed"));

        using var other = app.Client(admin.AccessToken);
        other.DefaultRequestHeaders.Add("Idempotency-Key", "hostile-2");
        await (await other.PostJsonAsync($"/v1/automations/{Guid.CreateVersion7()}/versions", new { bump = "minor" })).ExpectAsync(HttpStatusCode.NotFound);
        var replay = await other.PostJsonAsync($"/v1/automations/{Guid.CreateVersion7()}/versions", new { bump = "minor" });
        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
    }

    [Fact]
    public async Task A_multipart_body_without_its_closing_boundary_is_400()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        var raw = "--bnd\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.md\"\r\n\r\n# hello\r\n";
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(raw));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=bnd");

        var body = await (await client.PostAsync(RequirementsUrl(version), content)).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty("$.files", out _));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)));
    }

    [Fact]
    public async Task An_operator_admin_uploads_and_a_long_file_name_keeps_its_extension()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        var operatorAdmin = await app.StaffAsync("admin");
        using var client = app.Client(operatorAdmin.AccessToken);

        var body = await (await client.UploadAsync(version, new string('a', 300) + ".md", "# A\n- step")).ExpectAsync(HttpStatusCode.Created);

        var name = body.GetProperty("data").GetProperty("artifacts")[0].GetProperty("file_name").GetString()!;
        Assert.EndsWith(".md", name);
        Assert.Equal(255, name.Length);
    }

    [Fact]
    public void A_heading_line_built_for_regex_backtracking_is_read_at_once()
    {
        var text = "# a" + new string(' ', 4000) + "b\n- step one\n";

        using var doc = OfflineRequirementsExtractor.Extract(text);

        Assert.Equal(1, doc.RootElement.GetProperty("schema_version").GetInt32());
    }

    [Fact]
    public void A_docx_that_inflates_beyond_the_limit_is_unreadable_not_read()
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("word/document.xml", CompressionLevel.SmallestSize).Open();
            var chunk = new byte[1024 * 1024];
            Array.Fill(chunk, (byte)'a');
            for (var i = 0; i < 210; i++)
            {
                entry.Write(chunk);
            }
        }

        var ex = Assert.Throws<UnreadableDocumentException>(() => new RequirementsTextReader().Read(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zip.ToArray()));
        Assert.Contains("inflates", ex.Message);
    }
}
