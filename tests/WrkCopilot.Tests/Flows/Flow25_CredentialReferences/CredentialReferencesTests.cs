using System.Net;
using System.Text.Json;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow25_CredentialReferences;

public sealed class CredentialReferencesTests(WrkApp app) : IClassFixture<WrkApp>
{
    // Salesforce twice (two spellings), HubSpot once, one step without a system.
    private const string Blueprint = """
        {"schema_version":1,"summary":"Lead sync","sections":[{"id":"sec_1","title":"Intake","steps":[
          {"id":"st_1","type":"trigger","title":"New lead","system":"Salesforce","next":["st_2"]},
          {"id":"st_2","type":"action","title":"Create contact","system":"HubSpot","next":["st_3"]},
          {"id":"st_3","type":"action","title":"Update lead","system":"salesforce","next":["st_4"]},
          {"id":"st_4","type":"human","title":"Review","next":[]}]}],"metadata":{}}
        """;

    private const string SalesforceRef = "cred_01HF3KXYZ8ABCDEFGHJKMNPQRS";

    private static string Url(Guid id) => $"/v1/automation-versions/{id}/credentials";

    private Task<ArrangedVersion> VersionAsync(Guid tenantId, string status = "build_in_progress") =>
        app.VersionAsync(tenantId, status, blueprint: Blueprint);

    private Task<long> RowsAsync(Guid versionId) =>
        app.CountAsync("SELECT count(*) FROM credential_refs WHERE automation_version_id = @v", ("v", versionId));

    private Task<long> AuditsAsync(Guid versionId) =>
        app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'credentials_updated' AND resource_id = @v", ("v", versionId));

    private static JsonElement Entry(JsonElement body, string system) =>
        body.GetProperty("data").GetProperty("credentials").EnumerateArray().Single(e => e.GetProperty("system").GetString() == system);

    private static void AssertPath(JsonElement problem, string path)
    {
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(path, out _), $"expected {path} in {problem}");
    }

    [Fact]
    public async Task A_new_version_needs_each_blueprint_system_once_all_pending()
    {
        var admin = await app.SignUpAsync();
        var viewer = await app.AddMemberAsync(admin.TenantId, ["viewer"]);
        var v = await VersionAsync(admin.TenantId);

        var body = await (await app.Client(viewer.AccessToken).GetAsync(Url(v.VersionId))).ExpectAsync(HttpStatusCode.OK);

        var data = body.GetProperty("data");
        Assert.Equal(v.VersionId, data.GetProperty("automation_version_id").GetGuid());
        var items = data.GetProperty("credentials").EnumerateArray().ToList();
        Assert.Equal(["Salesforce", "HubSpot"], items.Select(i => i.GetProperty("system").GetString()));
        Assert.All(items, i =>
        {
            Assert.Equal("pending", i.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, i.GetProperty("reference").ValueKind);
            Assert.True(i.GetProperty("in_blueprint").GetBoolean());
            Assert.Equal(JsonValueKind.Null, i.GetProperty("updated_at").ValueKind);
        });
    }

    [Fact]
    public async Task A_client_admin_records_references_every_role_reads_them_and_the_same_list_again_changes_nothing()
    {
        var admin = await app.SignUpAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        var v = await VersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        var list = new
        {
            credentials = new object[]
            {
                new { system = "salesforce", status = "connected", reference = SalesforceRef },
                new { system = "HubSpot", status = "pending", reference = "cred_hubspot_prod_7" },
            },
        };

        var put = await (await client.PutJsonAsync(Url(v.VersionId), list)).ExpectAsync(HttpStatusCode.OK);

        // Stored under the blueprint's spelling.
        Assert.Equal("connected", Entry(put, "Salesforce").GetProperty("status").GetString());
        Assert.Equal(SalesforceRef, Entry(put, "Salesforce").GetProperty("reference").GetString());
        Assert.Equal("cred_hubspot_prod_7", Entry(put, "HubSpot").GetProperty("reference").GetString());
        Assert.Equal(2, await RowsAsync(v.VersionId));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE action_type = 'credentials_updated' AND resource_type = 'automation_version'
              AND resource_id = @v AND tenant_id = @t AND user_id = @u
              AND metadata_json->'changed_systems' = '["Salesforce","HubSpot"]'::jsonb
              AND metadata_json->'credentials' @> '[{"system":"Salesforce","status":"connected","reference":"cred_01HF3KXYZ8ABCDEFGHJKMNPQRS"}]'::jsonb
            """, ("v", v.VersionId), ("t", admin.TenantId), ("u", admin.UserId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM tasks WHERE tenant_id = @t", ("t", admin.TenantId)));

        var read = await (await app.Client(member.AccessToken).GetAsync(Url(v.VersionId))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(SalesforceRef, Entry(read, "Salesforce").GetProperty("reference").GetString());
        Assert.NotEqual(JsonValueKind.Null, Entry(read, "Salesforce").GetProperty("updated_at").ValueKind);

        var again = await (await client.PutJsonAsync(Url(v.VersionId), list)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(put.GetProperty("data").ToString(), again.GetProperty("data").ToString());
        Assert.Equal(1, await AuditsAsync(v.VersionId));
    }

    [Fact]
    public async Task A_system_left_out_of_the_list_goes_back_to_pending()
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        await (await client.PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[]
            {
                new { system = "Salesforce", status = "connected", reference = SalesforceRef },
                new { system = "HubSpot", status = "connected", reference = "cred_hubspot_prod_7" },
            },
        })).ExpectAsync(HttpStatusCode.OK);

        var body = await (await client.PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "HubSpot", status = "connected", reference = "cred_hubspot_prod_7" } },
        })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("pending", Entry(body, "Salesforce").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, Entry(body, "Salesforce").GetProperty("reference").ValueKind);
        Assert.Equal("connected", Entry(body, "HubSpot").GetProperty("status").GetString());
        Assert.Equal(1, await RowsAsync(v.VersionId));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'credentials_updated' AND resource_id = @v AND metadata_json->'changed_systems' = '[\"Salesforce\"]'::jsonb",
            ("v", v.VersionId)));
    }

    [Fact]
    public async Task A_system_newly_failed_opens_one_client_task_and_notifies_client_admins_and_staff()
    {
        var ops = await app.StaffAsync("ops_admin");
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId, "live");
        var failed = new
        {
            credentials = new object[]
            {
                new { system = "Salesforce", status = "failed", reference = SalesforceRef, error = "OAuth grant revoked by the Salesforce admin" },
                new { system = "HubSpot", status = "connected", reference = "cred_hubspot_prod_7" },
            },
        };

        var body = await (await app.Client(ops.AccessToken).PutJsonAsync(Url(v.VersionId), failed)).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("failed", Entry(body, "Salesforce").GetProperty("status").GetString());
        Assert.Equal("OAuth grant revoked by the Salesforce admin", Entry(body, "Salesforce").GetProperty("error").GetString());
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM tasks WHERE tenant_id = @t AND context_type = 'automation_version' AND context_id = @v
              AND kind = 'credentials_issue' AND visibility = 'client' AND assignee_id IS NULL AND status = 'todo'
              AND title LIKE '%Salesforce%' AND description = 'OAuth grant revoked by the Salesforce admin'
            """, ("t", admin.TenantId), ("v", v.VersionId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification' AND payload->>'event' = 'credentials.failed'
              AND payload->'audience'->>'kind' = 'tenant_admins' AND payload->'data'->'systems' = '["Salesforce"]'::jsonb
            """, ("t", admin.TenantId)));
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM outbox WHERE tenant_id = @t AND type = 'notification' AND payload->>'event' = 'credentials.failed'
              AND payload->'audience'->>'kind' = 'staff'
            """, ("t", admin.TenantId)));
        // Staff act in the version's tenant: the audit row is there, with the staff user as actor.
        Assert.Equal(1, await app.CountAsync("""
            SELECT count(*) FROM audit_logs WHERE action_type = 'credentials_updated' AND resource_id = @v AND tenant_id = @t AND user_id = @u
              AND metadata_json->'credentials' @> '[{"system":"Salesforce","status":"failed"}]'::jsonb
            """, ("v", v.VersionId), ("t", admin.TenantId), ("u", ops.UserId)));

        // The client sees the task (it must fix the credentials) and its admin gets the notification.
        var tasks = await (await app.Client(admin.AccessToken).GetAsync("/v1/tasks?kind=credentials_issue")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(tasks.GetProperty("data").EnumerateArray());
        await app.DeliverOutboxAsync();
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM notifications WHERE tenant_id = @t AND user_id = @u AND event_type = 'credentials.failed' AND channel = 'in_app'",
            ("t", admin.TenantId), ("u", admin.UserId)));

        // Still failed: no second task, no second notification.
        await (await app.Client(ops.AccessToken).PutJsonAsync(Url(v.VersionId), failed)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM tasks WHERE tenant_id = @t AND kind = 'credentials_issue'", ("t", admin.TenantId)));
        Assert.Equal(2, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND payload->>'event' = 'credentials.failed'", ("t", admin.TenantId)));
    }

    public static TheoryData<string> SecretLookingReferences => new()
    {
        "sk_live_51HxQ2cK8pL0aBcDeFgHiJkLmNoP",
        "cred_sk_live_51HxQ2cK8pL0aB",
        "xoxb-1234567890-0987654321-AbCdEfGhIjKl",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "AKIAIOSFODNN7EXAMPLE",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
        "password=hunter2hunter2",
        "api_key: abcdef123456",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "Zq8xR2mT7vLp4KdW9sNb3YcHf6JgUa1QeXoVi5BnMr0t",
        "cred_q079U29gfYpY0hPa3ui4cd6h7MtSQcjdhZ3SMgN2Xw2Kevk9UUVbKoD6lTqr",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "https://svc_user:S3cr3t!@api.example.com/v1",
        "Bearer abcdefghijklmnopqrstuvwxyz012345",
        "wrk_live_abcd1234_secretsecretsecret",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "GOCSPX-1a2B3c4D5e6F7g8H9i0J",
        "https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=AbCdEf123456%2Bxyz",
        "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
    };

    [Fact]
    public async Task A_huge_reference_is_400_not_a_regex_timeout()
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId);

        var res = await app.Client(admin.AccessToken).PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "connected", reference = "https://a" + new string(':', 300_000) } },
        });

        AssertPath(await res.ExpectAsync(HttpStatusCode.BadRequest), "$.credentials[0].reference");
        Assert.Equal(0, await RowsAsync(v.VersionId));
    }

    [Theory]
    [MemberData(nameof(SecretLookingReferences))]
    public async Task A_reference_that_looks_like_a_secret_is_refused_without_repeating_it(string secret)
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId);

        var res = await app.Client(admin.AccessToken).PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "HubSpot", status = "connected", reference = "cred_hubspot_prod_7" }, new { system = "Salesforce", status = "connected", reference = secret } },
        });
        var text = await res.Content.ReadAsStringAsync();
        var body = await res.ExpectAsync(HttpStatusCode.BadRequest);

        AssertPath(body, "$.credentials[1].reference");
        Assert.Contains("looks like a secret", body.GetProperty("errors").GetProperty("$.credentials[1].reference")[0].GetString());
        Assert.DoesNotContain(secret.Length > 12 ? secret[..12] : secret, text);
        Assert.Equal(0, await RowsAsync(v.VersionId));
        Assert.Equal(0, await AuditsAsync(v.VersionId));
    }

    [Theory]
    [InlineData("cred_01HF3KXYZ8ABCDEFGHJKMNPQRS")]
    [InlineData("cred_550e8400-e29b-41d4-a716-446655440000")]
    [InlineData("cred_salesforce_prod_eu")]
    public async Task Platform_references_are_accepted(string reference)
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId);

        var body = await (await app.Client(admin.AccessToken).PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "connected", reference } },
        })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(reference, Entry(body, "Salesforce").GetProperty("reference").GetString());
    }

    [Theory]
    [InlineData("salesforce-prod")]
    [InlineData("cred_abc")]
    [InlineData("cred_has space")]
    public async Task A_reference_not_in_the_platform_format_is_400(string reference)
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId);

        var body = await (await app.Client(admin.AccessToken).PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "pending", reference } },
        })).ExpectAsync(HttpStatusCode.BadRequest);

        AssertPath(body, "$.credentials[0].reference");
        Assert.Contains("cred_", body.GetProperty("errors").GetProperty("$.credentials[0].reference")[0].GetString());
    }

    [Fact]
    public async Task A_secret_field_an_error_that_holds_a_secret_and_other_bad_entries_are_400_naming_each_path()
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);

        var secretField = await (await client.PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "connected", reference = SalesforceRef, password = "hunter2" } },
        })).ExpectAsync(HttpStatusCode.BadRequest);
        var secretError = await (await client.PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "failed", error = "login failed with token=ghp_16C7e42F292c6912E7710c838347Ae178B4a" } },
        })).ExpectAsync(HttpStatusCode.BadRequest);
        var several = await (await client.PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[]
            {
                new { system = "Salesforce", status = "connected" },
                new { system = "HubSpot", status = "online" },
                new { system = "salesforce", status = "pending" },
                new { system = "", status = "pending" },
            },
        })).ExpectAsync(HttpStatusCode.BadRequest);
        var errorWhileConnected = await (await client.PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "connected", reference = SalesforceRef, error = "old" } },
        })).ExpectAsync(HttpStatusCode.BadRequest);
        var missing = await (await client.PutJsonAsync(Url(v.VersionId), new { })).ExpectAsync(HttpStatusCode.BadRequest);

        AssertPath(secretField, "$.credentials[0].password");
        AssertPath(secretError, "$.credentials[0].error");
        AssertPath(several, "$.credentials[0].reference");
        AssertPath(several, "$.credentials[1].status");
        AssertPath(several, "$.credentials[2].system");
        AssertPath(several, "$.credentials[3].system");
        AssertPath(errorWhileConnected, "$.credentials[0].error");
        AssertPath(missing, "$.credentials");
        Assert.Equal(0, await RowsAsync(v.VersionId));
    }

    [Fact]
    public async Task A_system_the_blueprint_does_not_name_is_400_listing_the_systems()
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId);

        var body = await (await app.Client(admin.AccessToken).PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[]
            {
                new { system = "Salesforce", status = "connected", reference = SalesforceRef },
                new { system = "Zendesk", status = "connected", reference = "cred_zendesk_prod" },
            },
        })).ExpectAsync(HttpStatusCode.BadRequest);

        AssertPath(body, "$.credentials[1].system");
        Assert.Contains("Salesforce, HubSpot", body.GetProperty("errors").GetProperty("$.credentials[1].system")[0].GetString());
        Assert.Equal(0, await RowsAsync(v.VersionId));
    }

    [Fact]
    public async Task A_system_the_blueprint_no_longer_names_is_shown_until_the_next_PUT_replaces_the_list()
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId);
        await app.ExecuteAsync("""
            INSERT INTO credential_refs (id, tenant_id, automation_version_id, system, status, wrk_credential_ref, created_at, updated_at)
            VALUES (@id, @t, @v, 'Zendesk', 'connected', 'cred_zendesk_prod', now(), now())
            """, ("id", Guid.CreateVersion7()), ("t", admin.TenantId), ("v", v.VersionId));
        using var client = app.Client(admin.AccessToken);

        var before = await (await client.GetAsync(Url(v.VersionId))).ExpectAsync(HttpStatusCode.OK);
        Assert.False(Entry(before, "Zendesk").GetProperty("in_blueprint").GetBoolean());
        Assert.Equal("connected", Entry(before, "Zendesk").GetProperty("status").GetString());

        var after = await (await client.PutJsonAsync(Url(v.VersionId), new { credentials = Array.Empty<object>() })).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal(["Salesforce", "HubSpot"], after.GetProperty("data").GetProperty("credentials").EnumerateArray().Select(e => e.GetProperty("system").GetString()));
        Assert.Equal(0, await RowsAsync(v.VersionId));
        Assert.Equal(1, await AuditsAsync(v.VersionId));
    }

    [Fact]
    public async Task An_archived_version_is_read_only()
    {
        var admin = await app.SignUpAsync();
        var v = await VersionAsync(admin.TenantId, "archived");

        var body = await (await app.Client(admin.AccessToken).PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "connected", reference = SalesforceRef } },
        })).ExpectAsync(HttpStatusCode.Conflict);

        Assert.Equal("version_not_editable", body.GetProperty("code").GetString());
        Assert.Equal(0, await RowsAsync(v.VersionId));
    }

    [Fact]
    public async Task Another_tenants_version_is_not_found_for_reads_and_writes_and_nothing_leaks()
    {
        var owner = await app.SignUpAsync(workspace: "Owner Co");
        var stranger = await app.SignUpAsync(workspace: "Stranger Co");
        var v = await VersionAsync(owner.TenantId);
        await (await app.Client(owner.AccessToken).PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "connected", reference = SalesforceRef } },
        })).ExpectAsync(HttpStatusCode.OK);
        using var client = app.Client(stranger.AccessToken);

        var read = await client.GetAsync(Url(v.VersionId));
        var readText = await read.Content.ReadAsStringAsync();
        var write = await client.PutJsonAsync(Url(v.VersionId), new { credentials = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, write.StatusCode);
        Assert.DoesNotContain(SalesforceRef, readText);
        Assert.DoesNotContain("Salesforce", readText);
        Assert.Equal(1, await RowsAsync(v.VersionId));
    }

    [Theory]
    [InlineData("member")]
    [InlineData("viewer")]
    public async Task Members_and_viewers_read_but_may_not_change_credentials(string role)
    {
        var admin = await app.SignUpAsync();
        var caller = await app.AddMemberAsync(admin.TenantId, [role]);
        var v = await VersionAsync(admin.TenantId);
        using var client = app.Client(caller.AccessToken);

        await (await client.GetAsync(Url(v.VersionId))).ExpectAsync(HttpStatusCode.OK);
        var body = await (await client.PutJsonAsync(Url(v.VersionId), new
        {
            credentials = new object[] { new { system = "Salesforce", status = "connected", reference = SalesforceRef } },
        })).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal("forbidden", body.GetProperty("code").GetString());
        Assert.Equal(0, await RowsAsync(v.VersionId));
    }

    [Fact]
    public async Task An_API_key_may_not_read_or_write_and_a_cs_admin_may_only_read()
    {
        var cs = await app.StaffAsync("cs_admin");
        var admin = await app.SignUpAsync();
        var key = await app.ApiKeyAsync(admin.TenantId, admin.UserId);
        var v = await VersionAsync(admin.TenantId);
        var list = new { credentials = new object[] { new { system = "Salesforce", status = "connected", reference = SalesforceRef } } };

        await (await app.Client(key).GetAsync(Url(v.VersionId))).ExpectAsync(HttpStatusCode.Forbidden);
        await (await app.Client(key).PutJsonAsync(Url(v.VersionId), list)).ExpectAsync(HttpStatusCode.Forbidden);
        var read = await (await app.Client(cs.AccessToken).GetAsync(Url(v.VersionId))).ExpectAsync(HttpStatusCode.OK);
        await (await app.Client(cs.AccessToken).PutJsonAsync(Url(v.VersionId), list)).ExpectAsync(HttpStatusCode.Forbidden);

        Assert.Equal(2, read.GetProperty("data").GetProperty("credentials").GetArrayLength());
        Assert.Equal(0, await RowsAsync(v.VersionId));
    }

    [Fact]
    public async Task An_unknown_version_is_404_for_staff_too()
    {
        var ops = await app.StaffAsync("ops_admin");

        await (await app.Client(ops.AccessToken).GetAsync(Url(Guid.CreateVersion7()))).ExpectAsync(HttpStatusCode.NotFound);
        await (await app.Client(ops.AccessToken).PutJsonAsync(Url(Guid.CreateVersion7()), new { credentials = Array.Empty<object>() }))
            .ExpectAsync(HttpStatusCode.NotFound);
    }
}
