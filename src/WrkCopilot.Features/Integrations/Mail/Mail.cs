using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace WrkCopilot.Features.Integrations.Mail;

/// <summary>Configuration section <c>Mail</c>. With no <see cref="Host"/>, mail is skipped and logged, never an error.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public bool EnableSsl { get; set; } = true;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "WRK Copilot <no-reply@wrkcopilot.com>";
    /// <summary>Base URL of the Studio frontend, for links in mails (e.g. invitation acceptance).</summary>
    public string StudioBaseUrl { get; set; } = "http://localhost:5173";

    /// <summary>A Studio link carrying a token, e.g. <c>StudioLink("reset-password", token)</c>.</summary>
    public string StudioLink(string path, string token) => $"{StudioBaseUrl.TrimEnd('/')}/{path}?token={Uri.EscapeDataString(token)}";
}

/// <summary>An email to send. Jobs that mail build it after their own commit; secrets in it never reach the outbox.</summary>
public sealed record EmailMessage(string To, string Subject, string Body);

public interface IMailSender
{
    /// <summary>False when mail is not configured (the message was skipped and logged).</summary>
    Task<bool> SendAsync(EmailMessage message, CancellationToken ct);
}

internal sealed class SmtpMailSender(IOptions<MailOptions> options, ILogger<SmtpMailSender> logger) : IMailSender
{
    public async Task<bool> SendAsync(EmailMessage message, CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.Host))
        {
            logger.LogInformation("Mail not configured (Mail:Host empty); skipped '{Subject}'", message.Subject);
            return false;
        }
        using var client = new SmtpClient(o.Host, o.Port) { EnableSsl = o.EnableSsl };
        if (!string.IsNullOrEmpty(o.Username))
        {
            client.Credentials = new NetworkCredential(o.Username, o.Password);
        }
        using var mail = new MailMessage { From = new MailAddress(o.From), Subject = message.Subject, Body = message.Body };
        mail.To.Add(message.To);
        await client.SendMailAsync(mail, ct);
        return true;
    }
}
