using System.Net;
using System.Text.Json;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using WrkCopilot.Features.Kernel.Blueprints;
using WrkCopilot.Tests.Infrastructure;
using static WrkCopilot.Tests.Infrastructure.ArrangeIngestion;

namespace WrkCopilot.Tests.Flows.Flow09_CaptureRequirements;

/// <summary>The AI ingestion worker end to end with the offline extractor (no Llm:BaseUrl configured).</summary>
public sealed class IngestionOfflineTests(WrkApp app) : IClassFixture<WrkApp>
{
    public const string LeadSync = """
        # Lead sync

        ## Intake
        - A new lead is created in Salesforce
        - If the lead score is at least 50?
        - Copy the lead to HubSpot
        - Post a message in Slack

        ## Follow-up
        1. Sales manager reviews the lead
        2. Add a row to Google Sheets
        """;

    internal static async Task<JsonElement> BlueprintAsync(HttpClient client, Guid version) =>
        (await (await client.GetAsync($"/v1/automation-versions/{version}/blueprint")).ExpectAsync(HttpStatusCode.OK)).GetProperty("data");

    internal static IEnumerable<JsonElement> Steps(JsonElement blueprint) =>
        blueprint.GetProperty("sections").EnumerateArray().SelectMany(s => s.GetProperty("steps").EnumerateArray());

    [Fact]
    public async Task An_uploaded_markdown_file_becomes_a_valid_blueprint_with_intake_progress_100()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        await (await client.UploadAsync(version, "lead-sync.md", LeadSync)).ExpectAsync(HttpStatusCode.Created);

        await app.DeliverOutboxAsync();

        var view = await BlueprintAsync(client, version);
        Assert.Equal(100, view.GetProperty("intake_progress").GetInt32());
        var blueprint = view.GetProperty("blueprint");
        Assert.Empty(BlueprintSchema.Validate(blueprint, blueprint.GetRawText().Length));
        Assert.Equal("Lead sync", blueprint.GetProperty("summary").GetString());
        Assert.Equal(["Intake", "Follow-up"], blueprint.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("title").GetString()!).ToArray());
        var steps = Steps(blueprint).ToList();
        Assert.Equal(6, steps.Count);
        Assert.Equal("trigger", steps[0].GetProperty("type").GetString());
        Assert.Equal("salesforce", steps[0].GetProperty("system").GetString());
        Assert.Equal("decision", steps[1].GetProperty("type").GetString());
        Assert.Equal(2, steps[1].GetProperty("next").GetArrayLength());
        Assert.Equal("hubspot", steps[2].GetProperty("system").GetString());
        Assert.Equal("human", steps[4].GetProperty("type").GetString());
        Assert.Equal("google_sheets", steps[5].GetProperty("system").GetString());

        var list = await (await client.GetAsync(RequirementsUrl(version))).ExpectAsync(HttpStatusCode.OK);
        var artifact = list.GetProperty("data")[0];
        Assert.Equal("processed", artifact.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, artifact.GetProperty("processed_at").ValueKind);
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM audit_logs WHERE action_type = 'blueprint_updated' AND resource_id = @v " +
            "AND metadata_json->>'source' = 'ai_ingestion' AND metadata_json->>'extractor' = 'offline' AND metadata_json->>'artifact_id' = @a",
            ("v", version), ("a", artifact.GetProperty("id").GetString()!)));
    }

    [Fact]
    public async Task A_second_artifact_is_appended_with_unique_ids_and_progress_counts_each_artifact()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        await (await client.UploadAsync(version, "one.md", "# One\n- Order arrives in Shopify\n- Charge it in Stripe\n")).ExpectAsync(HttpStatusCode.Created);
        await app.DeliverOutboxAsync();

        var second = await (await client.PostJsonAsync(RequirementsUrl(version), new { text = "## Refunds\n- Refund in Stripe\n- Tell the customer in Intercom" }))
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal(50, second.GetProperty("data").GetProperty("intake_progress").GetInt32()); // one of two finished
        await app.DeliverOutboxAsync();

        var view = await BlueprintAsync(client, version);
        var blueprint = view.GetProperty("blueprint");
        Assert.Equal(100, view.GetProperty("intake_progress").GetInt32());
        Assert.Empty(BlueprintSchema.Validate(blueprint, blueprint.GetRawText().Length));
        Assert.Equal(["One", "Refunds"], blueprint.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("title").GetString()!).ToArray());
        var ids = Steps(blueprint).Select(s => s.GetProperty("id").GetString()!).ToList();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.Equal(["st_1", "st_2"], ids.Take(2)); // what was there is unchanged
        Assert.Equal("One", blueprint.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task A_job_delivered_twice_does_not_add_the_artifact_twice()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        var body = await (await client.UploadAsync(version, "a.md", "# A\n- Step in Jira\n- Next step")).ExpectAsync(HttpStatusCode.Created);
        var artifactId = body.GetProperty("data").GetProperty("artifacts")[0].GetProperty("id").GetGuid();
        await app.DeliverOutboxAsync();

        await app.InsertJobAsync("requirements_ingestion", new { artifact_id = artifactId }, tenantId: admin.TenantId, queue: "ai-ingestion");
        await app.DeliverOutboxAsync();

        Assert.Equal(2, Steps((await BlueprintAsync(client, version)).GetProperty("blueprint")).Count());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM audit_logs WHERE action_type = 'blueprint_updated' AND resource_id = @v", ("v", version)));
    }

    [Fact]
    public async Task An_artifact_whose_version_left_intake_is_skipped_and_the_blueprint_untouched()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        await (await client.UploadAsync(version, "late.md", "# Late\n- Something in Slack")).ExpectAsync(HttpStatusCode.Created);
        await app.ExecuteAsync("UPDATE automation_versions SET status = 'needs_pricing' WHERE id = @v", ("v", version));

        await app.DeliverOutboxAsync();

        var list = await (await client.GetAsync(RequirementsUrl(version))).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("skipped", list.GetProperty("data")[0].GetProperty("status").GetString());
        Assert.Contains("needs_pricing", list.GetProperty("data")[0].GetProperty("error").GetString());
        var view = await BlueprintAsync(client, version);
        Assert.Empty(Steps(view.GetProperty("blueprint")));
        Assert.Equal(100, view.GetProperty("intake_progress").GetInt32());
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE tenant_id = @t AND status <> 'done'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_docx_upload_is_read_by_its_headings_and_lists()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        var docx = TextExtractionTests.Docx(("Heading1", "Invoice approval"), ("ListParagraph", "Invoice arrives in Gmail"), ("ListParagraph", "Record it in QuickBooks"));

        await (await client.UploadAsync(version, ("invoices.docx", docx))).ExpectAsync(HttpStatusCode.Created);
        await app.DeliverOutboxAsync();

        var blueprint = (await BlueprintAsync(client, version)).GetProperty("blueprint");
        Assert.Equal("Invoice approval", blueprint.GetProperty("sections")[0].GetProperty("title").GetString());
        Assert.Equal(["gmail", "quickbooks"], Steps(blueprint).Select(s => s.GetProperty("system").GetString()!).ToArray());
    }

    [Fact]
    public async Task A_pdf_upload_is_read_line_by_line()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        var pdf = TextExtractionTests.Pdf("New order in Shopify", "Create the invoice in NetSuite");

        await (await client.UploadAsync(version, ("orders.pdf", pdf))).ExpectAsync(HttpStatusCode.Created);
        await app.DeliverOutboxAsync();

        var blueprint = (await BlueprintAsync(client, version)).GetProperty("blueprint");
        Assert.Equal(["New order in Shopify", "Create the invoice in NetSuite"],
            Steps(blueprint).Select(s => s.GetProperty("title").GetString()!).ToArray());
        Assert.Equal(["shopify", "netsuite"], Steps(blueprint).Select(s => s.GetProperty("system").GetString()!).ToArray());
    }

    [Fact]
    public async Task An_unreadable_pdf_fails_its_artifact_with_the_reason_and_still_counts_as_finished()
    {
        var admin = await app.WorkspaceAdminAsync();
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        await (await client.UploadAsync(version, ("broken.pdf", "%PDF-1.7 but nothing else"u8.ToArray()))).ExpectAsync(HttpStatusCode.Created);

        await app.DeliverOutboxAsync();

        var artifact = (await (await client.GetAsync(RequirementsUrl(version))).ExpectAsync(HttpStatusCode.OK)).GetProperty("data")[0];
        Assert.Equal("failed", artifact.GetProperty("status").GetString());
        Assert.Contains("pdf", artifact.GetProperty("error").GetString());
        Assert.Equal(100, (await BlueprintAsync(client, version)).GetProperty("intake_progress").GetInt32());
    }

    [Fact]
    public async Task A_tenant_with_ai_processing_off_is_still_ingested_offline()
    {
        var admin = await app.WorkspaceAdminAsync();
        await app.ExecuteAsync("UPDATE tenants SET ai_processing = false WHERE id = @t", ("t", admin.TenantId));
        var version = await app.IntakeVersionAsync(admin.TenantId);
        using var client = app.Client(admin.AccessToken);
        await (await client.UploadAsync(version, "a.txt", "Ticket opened in Zendesk\nEscalate in Jira")).ExpectAsync(HttpStatusCode.Created);

        await app.DeliverOutboxAsync();

        var blueprint = (await BlueprintAsync(client, version)).GetProperty("blueprint");
        Assert.Equal("Requirements", blueprint.GetProperty("sections")[0].GetProperty("title").GetString());
        Assert.Equal(2, Steps(blueprint).Count());
    }
}

/// <summary>Text out of pdf and docx files made here (no binary fixtures in the repository).</summary>
public sealed class TextExtractionTests
{
    internal static byte[] Docx(params (string Style, string Text)[] paragraphs)
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            main.Document = new Document(new Body(paragraphs.Select(p => (OpenXmlElement)new Paragraph(
                new ParagraphProperties(new ParagraphStyleId { Val = p.Style }),
                new Run(new Text(p.Text))))));
        }
        return stream.ToArray();
    }

    internal static byte[] Pdf(params string[] lines)
    {
        var builder = new UglyToad.PdfPig.Writer.PdfDocumentBuilder();
        var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
        var font = builder.AddStandard14Font(UglyToad.PdfPig.Fonts.Standard14Fonts.Standard14Font.Helvetica);
        for (var i = 0; i < lines.Length; i++)
        {
            page.AddText(lines[i], 12, new UglyToad.PdfPig.Core.PdfPoint(40, 780 - (i * 20)), font);
        }
        return builder.Build();
    }

    private static readonly Features.Integrations.Requirements.RequirementsTextReader Reader = new();

    [Fact]
    public void A_docx_keeps_its_headings_and_list_items_as_markdown()
    {
        var text = Reader.Read("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Docx(("Heading2", "Onboarding"), ("ListParagraph", "Create the account in Workday"), ("Normal", "Plain paragraph")));

        Assert.Equal(["## Onboarding", "- Create the account in Workday", "Plain paragraph"],
            text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void A_pdf_gives_its_text_line_by_line()
    {
        var text = Reader.Read("application/pdf", Pdf("New order in Shopify", "Create invoice in NetSuite"));

        Assert.Equal(["New order in Shopify", "Create invoice in NetSuite"],
            text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void A_pdf_that_does_not_parse_is_unreadable_not_a_crash()
    {
        Assert.Throws<Features.Integrations.Requirements.UnreadableDocumentException>(() =>
            Reader.Read("application/pdf", "%PDF-1.4 garbage"u8.ToArray()));
        Assert.Throws<Features.Integrations.Requirements.UnreadableDocumentException>(() =>
            Reader.Read("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\u0003\u0004 garbage"u8.ToArray()));
    }

    [Fact]
    public void Text_types_are_utf8_without_a_byte_order_mark()
    {
        Assert.Equal("héllo", Reader.Read("text/markdown", [0xEF, 0xBB, 0xBF, .. "héllo"u8.ToArray()]));
    }
}
