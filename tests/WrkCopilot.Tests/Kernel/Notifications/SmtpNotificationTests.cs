using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using netDumbster.smtp;
using WrkCopilot.Features.Integrations.Mail;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Notifications;

/// <summary>The app sending real mail over SMTP to a local test server (netDumbster), instead of the recording sender.</summary>
public sealed class SmtpApp : WrkApp
{
    public SimpleSmtpServer Smtp { get; } = SimpleSmtpServer.Start(FreePort());

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Mail:Host", "127.0.0.1"),
        new("Mail:Port", Smtp.Configuration.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Mail:From", "studio@wrk.example"),
        new("Mail:EnableSsl", "false"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(s =>
        {
            s.RemoveAll<IMailSender>();
            s.AddSingleton<IMailSender, SmtpMailSender>();
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Smtp.Stop();
        Smtp.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class SmtpNotificationTests(SmtpApp app) : IClassFixture<SmtpApp>
{
    [Fact]
    public async Task A_notification_job_run_twice_sends_one_email_over_smtp()
    {
        var admin = await app.WorkspaceAdminAsync();
        var staff = await app.StaffAsync("cs_admin");
        var project = await app.CollabProjectAsync(admin.TenantId);
        await (await app.Client(staff.AccessToken).PostJsonAsync("/v1/messages", new { project_id = project.ProjectId, type = "ops", text = "Your quote is ready" }))
            .ExpectAsync(HttpStatusCode.Created);

        await app.DeliverOutboxAsync();
        await app.ExecuteAsync("""
            UPDATE outbox SET status = 'pending', available_at = now() - interval '1 second', locked_until = NULL, locked_by = NULL, completed_at = NULL
            WHERE type = 'notification' AND tenant_id = @t
            """, ("t", admin.TenantId));
        await app.DeliverOutboxAsync();

        var received = app.Smtp.ReceivedEmail.Where(m => m.ToAddresses.Any(a => string.Equals(a.Address, admin.Email, StringComparison.OrdinalIgnoreCase))).ToList();
        var mail = Assert.Single(received);
        Assert.Equal("New message", mail.Headers["Subject"]);
        Assert.Equal("studio@wrk.example", mail.FromAddress.Address);
    }
}
