using System.Net;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Notifications;

public sealed class NotificationJobTests(WrkApp app) : IClassFixture<WrkApp>
{
    private WireMockServer SlackFor(string name, int status = 200)
    {
        var server = app.ExternalService(name);
        server.Reset();
        server.Given(Request.Create().WithPath("/hook").UsingPost()).RespondWith(Response.Create().WithStatusCode(status).WithBody("ok"));
        return server;
    }

    private static int Delivered(WireMockServer slack) => slack.LogEntries.Count(e => e.ResponseMessage.StatusCode is 200);

    private int MailsTo(Caller who, string subject) => app.Mail.Sent.Count(m => m.To == who.Email && m.Subject == subject);

    private Task<int> RequeueNotificationsAsync(Guid tenantId) => app.ExecuteAsync("""
        UPDATE outbox SET status = 'pending', available_at = now() - interval '1 second', locked_until = NULL, locked_by = NULL, completed_at = NULL
        WHERE type = 'notification' AND tenant_id = @t
        """, ("t", tenantId));

    private async Task<Caller> OpsMessageAsync(Caller clientAdmin, string text)
    {
        var staff = await app.StaffAsync("cs_admin");
        var p = await app.CollabProjectAsync(clientAdmin.TenantId);
        await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/messages", new { project_id = p.ProjectId, type = "ops", text }))
            .ExpectAsync(HttpStatusCode.Created);
        return staff;
    }

    [Fact]
    public async Task A_notification_job_run_twice_sends_one_email_and_one_slack_message()
    {
        var admin = await app.WorkspaceAdminAsync();
        var slack = SlackFor("slack-twice");
        await app.SetSlackWebhookAsync(admin.TenantId, slack.Url + "/hook");
        await OpsMessageAsync(admin, "Your quote is ready");

        await app.DeliverOutboxAsync();
        Assert.Equal(1, MailsTo(admin, "New message"));
        Assert.Equal(1, Delivered(slack));
        Assert.Contains("Your quote is ready", slack.LogEntries.Single().RequestMessage.Body, StringComparison.Ordinal);

        Assert.Equal(1, await RequeueNotificationsAsync(admin.TenantId));
        await app.DeliverOutboxAsync();

        Assert.Equal(1, MailsTo(admin, "New message"));
        Assert.Single(slack.LogEntries);
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE type = 'notification' AND tenant_id = @t AND status = 'done'", ("t", admin.TenantId)));
        var list = await (await app.Client(admin.AccessToken).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(list.GetProperty("data").EnumerateArray());
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM notifications WHERE tenant_id = @t AND channel = 'slack' AND user_id IS NULL AND sent_at IS NOT NULL", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task A_job_that_fails_on_slack_after_the_email_retries_slack_only()
    {
        var admin = await app.WorkspaceAdminAsync();
        var slack = SlackFor("slack-flaky", 500);
        await app.SetSlackWebhookAsync(admin.TenantId, slack.Url + "/hook");
        await OpsMessageAsync(admin, "Build scheduled");

        await app.DeliverOutboxAsync();
        Assert.Equal(1, MailsTo(admin, "New message"));
        Assert.Equal(0, Delivered(slack));
        Assert.Equal(1, await app.CountAsync(
            "SELECT count(*) FROM outbox WHERE type = 'notification' AND tenant_id = @t AND status = 'pending' AND attempts = 1 AND last_error IS NOT NULL",
            ("t", admin.TenantId)));

        SlackFor("slack-flaky");
        await app.ExecuteAsync("UPDATE outbox SET available_at = now() - interval '1 second' WHERE type = 'notification' AND tenant_id = @t", ("t", admin.TenantId));
        await app.DeliverOutboxAsync();

        Assert.Equal(1, MailsTo(admin, "New message"));
        Assert.Equal(1, Delivered(slack));
        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE type = 'notification' AND tenant_id = @t AND status = 'done'", ("t", admin.TenantId)));
    }

    [Fact]
    public async Task Without_a_slack_webhook_the_channel_is_skipped_and_the_job_succeeds()
    {
        var admin = await app.WorkspaceAdminAsync();
        var member = await app.AddMemberAsync(admin.TenantId, ["member"]);
        await OpsMessageAsync(admin, "Heads up");

        await app.DeliverOutboxAsync();

        Assert.Equal(1, await app.CountAsync("SELECT count(*) FROM outbox WHERE type = 'notification' AND tenant_id = @t AND status = 'done'", ("t", admin.TenantId)));
        Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM notifications WHERE tenant_id = @t AND channel = 'slack'", ("t", admin.TenantId)));
        Assert.Equal(1, MailsTo(member, "New message"));
        var list = await (await app.Client(member.AccessToken).GetAsync("/v1/notifications")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("Heads up", list.GetProperty("data")[0].GetProperty("body").GetString());
    }

    [Fact]
    public async Task A_staff_only_event_reaches_the_operators_slack_and_never_a_client_user_or_the_clients_slack()
    {
        var admin = await app.WorkspaceAdminAsync();
        var clientSlack = SlackFor("slack-client");
        var operatorSlack = SlackFor("slack-operator");
        await app.SetSlackWebhookAsync(admin.TenantId, clientSlack.Url + "/hook");
        var operatorTenant = await app.OperatorTenantAsync();
        await app.SetSlackWebhookAsync(operatorTenant, operatorSlack.Url + "/hook");
        try
        {
            // Addressed to a client user but staff-only: dropped, since that user is not staff.
            await app.InsertJobAsync("notification", new
            {
                @event = "task.assigned", title = "Pricing task", audience = new { kind = "user", user_id = admin.UserId, staff_only = true }, data = new { },
            }, tenantId: admin.TenantId);
            var staff = await app.StaffAsync("ops_admin");
            var p = await app.CollabProjectAsync(admin.TenantId);
            await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/messages", new { project_id = p.ProjectId, type = "internal_note", text = "Client is price sensitive" }))
                .ExpectAsync(HttpStatusCode.Created);

            await app.DeliverOutboxAsync();

            Assert.Empty(clientSlack.LogEntries);
            Assert.Equal(1, Delivered(operatorSlack));
            Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM notifications WHERE tenant_id = @t", ("t", admin.TenantId)));
            Assert.DoesNotContain(app.Mail.Sent, m => m.To == admin.Email);
            Assert.Equal(0, await app.CountAsync("SELECT count(*) FROM outbox WHERE type = 'notification' AND status <> 'done'"));
        }
        finally
        {
            await app.SetSlackWebhookAsync(operatorTenant, null);
        }
    }
}
