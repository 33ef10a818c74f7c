using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WrkCopilot.Features.Kernel.Auth;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeIngestion;

namespace WrkCopilot.Tests.Flows.Flow09_CaptureRequirements;

public sealed class CaptureRequirementsTests(WrkApp app) : IClassFixture<WrkApp>
{
    private const string Markdown = "# Lead sync\n\n## Intake\n- New lead arrives in Salesforce\n- Copy it to HubSpot\n";

    private async Task<(Caller Admin, Guid Version)> WorkspaceWithVersionAsync(string status = "intake_in_progress")
    {
        var admin = await app.WorkspaceAdminAsync();
        return (admin, await app.IntakeVersionAsync(admin.TenantId, status));
    }

    [Fact]
    public async Task A_member_uploads_a_markdown_file_which_is_stored_recorded_queued_and_audited()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        using var client = app.Client(member.AccessToken);
        var bytes = Encoding.UTF8.GetBytes(Markdown);

        var body = await (await client.UploadAsync(version, ("lead-sync.md", bytes))).ExpectAsync(HttpStatusCode.Created);

        var data = body.GetProperty("data");
        Assert.Equal(0, data.GetProperty("intake_progress").GetInt32());
        var artifact = Assert.Single(data.GetProperty("artifacts").EnumerateArray().ToList());
        Assert.Equal("lead-sync.md", artifact.GetProperty("file_name").GetString());
        Assert.Equal("file", artifact.GetProperty("kind").GetString());
        Assert.Equal("text/markdown", artifact.GetProperty("content_type").GetString());
        Assert.Equal(bytes.Length, artifact.GetProperty("size_bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), artifact.GetProperty("sha256").GetString());
        Assert.Equal("pending", artifact.GetProperty("status").GetString());
        var id = artifact.GetProperty("id").GetGuid();

        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM requirement_artifacts a JOIN stored_files f ON f.id = a.stored_file_id AND f.tenant_id = a.tenant_id " +
            "WHERE a.id = @id AND f.content = @c AND a.created_by_id = @u", ("id", id), ("c", bytes), ("u", member.UserId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE queue = 'ai-ingestion' AND type = 'requirements_ingestion' AND tenant_id = @t AND payload->>'artifact_id' = @id",
            ("t", admin.TenantId), ("id", id.ToString())));
        var audit = await app.ScalarAsync<string>(
            "SELECT metadata_json::text FROM audit_logs WHERE action_type = 'requirements_uploaded' AND resource_id = @v AND user_id = @u",
            ("v", version), ("u", member.UserId));
        Assert.NotNull(audit);
        Assert.Contains("lead-sync.md", audit);
        Assert.Contains(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), audit);
        Assert.DoesNotContain("Salesforce", audit); // names and sizes, never the content
    }

    [Fact]
    public async Task An_admin_sends_plain_text_as_json()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.PostJsonAsync(RequirementsUrl(version), new { text = "When a deal closes in HubSpot, invoice it in Stripe." }))
            .ExpectAsync(HttpStatusCode.Created);

        var artifact = body.GetProperty("data").GetProperty("artifacts")[0];
        Assert.Equal("text", artifact.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, artifact.GetProperty("file_name").ValueKind);
        Assert.Equal("text/plain", artifact.GetProperty("content_type").GetString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE queue = 'ai-ingestion' AND tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Several_files_in_one_request_each_become_an_artifact_with_its_own_job()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.UploadAsync(version,
                ("a.txt", "Step one"u8.ToArray()), ("b.csv", "step,system\nsync,Slack\n"u8.ToArray()), ("c.json", """{"steps":["x"]}"""u8.ToArray())))
            .ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(["a.txt", "b.csv", "c.json"],
            body.GetProperty("data").GetProperty("artifacts").EnumerateArray().Select(a => a.GetProperty("file_name").GetString()!).ToArray());
        Assert.Equal(3, await app.CountAsync("SELECT count(*) FROM outbox WHERE queue = 'ai-ingestion' AND tenant_id = @t", ("t", admin.TenantId)));
    }

    [Theory]
    [InlineData("setup.exe", "MZ\u0090\u0000binary")]
    [InlineData("spec.pdf", "this is not a pdf")]
    [InlineData("spec.docx", "not a zip either")]
    public async Task A_file_of_another_type_or_not_what_its_extension_says_is_415_naming_it(string fileName, string content)
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.UploadAsync(version, ("ok.md", "# fine"u8.ToArray()), (fileName, Encoding.Latin1.GetBytes(content))))
            .ExpectAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Equal("unsupported_media_type", body.GetProperty("code").GetString());
        Assert.Equal(fileName, body.GetProperty("file_name").GetString());
        Assert.Contains(fileName, body.GetProperty("detail").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)));
    }

    [Fact]
    public async Task A_text_file_that_is_not_utf8_is_415()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.UploadAsync(version, ("notes.txt", [0x48, 0x69, 0xFF, 0xFE, 0x00])))
            .ExpectAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("UTF-8", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_file_one_byte_over_20_MB_is_413_naming_it_and_nothing_is_stored()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);
        var big = new byte[(20 * 1024 * 1024) + 1];
        Array.Fill(big, (byte)'a');

        var body = await (await client.UploadAsync(version, ("huge.txt", big))).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("payload_too_large", body.GetProperty("code").GetString());
        Assert.Equal("huge.txt", body.GetProperty("file_name").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM stored_files WHERE tenant_id = @t", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_file_of_exactly_20_MB_is_accepted()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);
        var big = new byte[20 * 1024 * 1024];
        Array.Fill(big, (byte)'a');

        var body = await (await client.UploadAsync(version, ("big.txt", big))).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal(big.Length, body.GetProperty("data").GetProperty("artifacts")[0].GetProperty("size_bytes").GetInt64());
    }

    [Theory]
    [InlineData("needs_pricing")]
    [InlineData("live")]
    public async Task Outside_intake_the_upload_is_409(string status)
    {
        var (admin, version) = await WorkspaceWithVersionAsync(status);
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.UploadAsync(version, "a.md", "# x")).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("version_not_editable", body.GetProperty("code").GetString());
        Assert.Equal(status, body.GetProperty("current_status").GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)));
    }

    [Fact]
    public async Task Another_tenants_version_is_404_for_upload_and_list_and_nothing_leaks()
    {
        var (_, version) = await WorkspaceWithVersionAsync();
        using (var owner = app.Client((await app.AddMemberAsync(
                   (Guid)(await app.ScalarAsync<Guid>("SELECT tenant_id FROM automation_versions WHERE id = @v", ("v", version))), ["admin"])).AccessToken))
        {
            await (await owner.UploadAsync(version, "secret-plan.md", "# Secret plan")).ExpectAsync(HttpStatusCode.Created);
        }
        var stranger = await app.WorkspaceAdminAsync("Other");
        using var client = app.Client(stranger.AccessToken);

        var upload = await client.UploadAsync(version, "a.md", "# mine");
        var uploadBody = await upload.ExpectAsync(HttpStatusCode.NotFound);
        var list = await client.GetAsync(RequirementsUrl(version));
        var listBody = await list.ExpectAsync(HttpStatusCode.NotFound);

        Assert.DoesNotContain("secret-plan", uploadBody.ToString() + listBody.ToString());
        Assert.DoesNotContain("intake_in_progress", uploadBody.ToString());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)));
    }

    [Fact]
    public async Task A_viewer_may_list_but_not_upload()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        using var client = app.Client(viewer.AccessToken);

        var body = await (await client.UploadAsync(version, "a.md", "# x")).ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Equal("forbidden", body.GetProperty("code").GetString());
        await (await client.GetAsync(RequirementsUrl(version))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)));
    }

    [Fact]
    public async Task Staff_ops_admin_uploads_into_the_clients_tenant_and_cs_admin_may_only_read()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        var ops = await app.StaffAsync("ops_admin");
        var cs = await app.StaffAsync("cs_admin");

        using (var client = app.Client(cs.AccessToken))
        {
            await (await client.UploadAsync(version, "a.md", "# x")).ExpectAsync(HttpStatusCode.Forbidden);
        }
        using (var client = app.Client(ops.AccessToken))
        {
            await (await client.UploadAsync(version, "ops.md", "# From ops")).ExpectAsync(HttpStatusCode.Created);
        }

        using (var client = app.Client(cs.AccessToken))
        {
            var list = await (await client.GetAsync(RequirementsUrl(version))).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal("ops.md", list.GetProperty("data")[0].GetProperty("file_name").GetString());
        }
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM requirement_artifacts WHERE tenant_id = @t AND file_name = 'ops.md'", ("t", admin.TenantId)));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE tenant_id = @t AND action_type = 'requirements_uploaded' AND user_id = @u",
            ("t", admin.TenantId), ("u", ops.UserId)));
    }

    [Fact]
    public async Task An_api_key_needs_automations_write_to_upload_and_automations_read_to_list()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        var writer = await app.ApiKeyAsync(admin.TenantId, admin.UserId, [Permissions.AutomationsWrite]);
        var reader = await app.ApiKeyAsync(admin.TenantId, admin.UserId, [Permissions.AutomationsRead]);

        using (var client = app.Client(reader))
        {
            await (await client.UploadAsync(version, "a.md", "# x")).ExpectAsync(HttpStatusCode.Forbidden);
            await (await client.GetAsync(RequirementsUrl(version))).ExpectAsync(HttpStatusCode.OK);
        }
        using (var client = app.Client(writer))
        {
            await (await client.UploadAsync(version, "a.md", "# x")).ExpectAsync(HttpStatusCode.Created);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Empty_text_is_400_naming_text(string text)
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);

        var body = await (await client.PostJsonAsync(RequirementsUrl(version), new { text })).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(body.GetProperty("errors").TryGetProperty("$.text", out _), body.ToString());
    }

    [Fact]
    public async Task An_empty_body_is_400_naming_text_and_text_over_1_MB_too()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);

        var empty = await (await client.PostAsync(RequirementsUrl(version), null)).ExpectAsync(HttpStatusCode.BadRequest);
        var large = await (await client.PostJsonAsync(RequirementsUrl(version), new { text = new string('x', (1024 * 1024) + 1) }))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(empty.GetProperty("errors").TryGetProperty("$.text", out _), empty.ToString());
        Assert.True(large.GetProperty("errors").TryGetProperty("$.text", out _), large.ToString());
    }

    [Fact]
    public async Task A_form_without_files_too_many_files_or_an_empty_file_is_400_naming_files()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);

        using var noFiles = new MultipartFormDataContent { { new StringContent("hello"), "note" } };
        var none = await (await client.PostAsync(RequirementsUrl(version), noFiles)).ExpectAsync(HttpStatusCode.BadRequest);
        var tooMany = await (await client.UploadAsync(version, Enumerable.Range(1, 6).Select(i => ($"f{i}.txt", "x"u8.ToArray())).ToArray()))
            .ExpectAsync(HttpStatusCode.BadRequest);
        var empty = await (await client.UploadAsync(version, ("ok.txt", "x"u8.ToArray()), ("empty.txt", Array.Empty<byte>())))
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True(none.GetProperty("errors").TryGetProperty("$.files", out _), none.ToString());
        Assert.Contains("At most 5", tooMany.GetProperty("errors").GetProperty("$.files")[0].GetString());
        Assert.Contains("empty.txt", empty.GetProperty("errors").GetProperty("$.files[1]")[0].GetString());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)));
    }

    [Fact]
    public async Task The_list_pages_newest_first_with_each_artifacts_state()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);
        await (await client.UploadAsync(version, "first.md", "# one")).ExpectAsync(HttpStatusCode.Created);
        await (await client.UploadAsync(version, "second.md", "# two")).ExpectAsync(HttpStatusCode.Created);

        var page1 = await (await client.GetAsync(RequirementsUrl(version) + "?limit=1")).ExpectAsync(HttpStatusCode.OK);
        var cursor = page1.GetProperty("meta").GetProperty("next_cursor").GetString();
        var page2 = await (await client.GetAsync(RequirementsUrl(version) + $"?limit=1&cursor={cursor}")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("second.md", page1.GetProperty("data")[0].GetProperty("file_name").GetString());
        Assert.Equal("pending", page1.GetProperty("data")[0].GetProperty("status").GetString());
        Assert.Equal("first.md", page2.GetProperty("data")[0].GetProperty("file_name").GetString());
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("meta").GetProperty("next_cursor").ValueKind);
        var bad = await (await client.GetAsync(RequirementsUrl(version) + "?limit=0")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("$.limit", out _), bad.ToString());
    }

    [Fact]
    public async Task An_idempotent_retry_of_an_upload_with_a_new_boundary_replays_and_another_file_is_422()
    {
        var (admin, version) = await WorkspaceWithVersionAsync();
        using var client = app.Client(admin.AccessToken);
        var file = ("spec.md", Encoding.UTF8.GetBytes(Markdown));

        async Task<HttpResponseMessage> Send(MultipartFormDataContent form)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, RequirementsUrl(version)) { Content = form };
            request.Headers.Add("Idempotency-Key", "upload-1");
            return await client.SendAsync(request);
        }

        var first = await (await Send(Form([file], boundary: "first-boundary"))).ExpectAsync(HttpStatusCode.Created);
        var retry = await Send(Form([file], boundary: "another-boundary"));
        var retryBody = await retry.ExpectAsync(HttpStatusCode.Created);
        var other = await Send(Form([("other.md", "# other"u8.ToArray())], boundary: "third-boundary"));

        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.GetProperty("data").GetProperty("artifacts")[0].GetProperty("id").GetGuid(),
            retryBody.GetProperty("data").GetProperty("artifacts")[0].GetProperty("id").GetGuid());
        await other.ExpectAsync((HttpStatusCode)422);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM requirement_artifacts WHERE automation_version_id = @v", ("v", version)));
    }
}
