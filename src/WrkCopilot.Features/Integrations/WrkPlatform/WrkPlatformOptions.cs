using Microsoft.Extensions.Options;

namespace WrkCopilot.Features.Integrations.WrkPlatform;

/// <summary>Configuration section <c>WrkPlatform</c>.</summary>
public sealed class WrkPlatformOptions
{
    public const string Section = "WrkPlatform";

    /// <summary><c>Http</c> (a real platform at <see cref="BaseUrl"/>) or <c>Simulated</c> (in process). Empty: Simulated unless a BaseUrl is set.</summary>
    public string? Mode { get; set; }

    public string? BaseUrl { get; set; }

    /// <summary>Bearer token for the platform API (a secret: environment or secret store, never git).</summary>
    public string? Token { get; set; }

    /// <summary>Timeout of one platform call attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a transient failure within one call (with exponential backoff and jitter).</summary>
    public int Retries { get; set; } = 2;

    /// <summary>The first retry's delay; each further retry doubles it (± jitter). A <c>Retry-After</c> answer overrides it.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// An upper bound of one call with its retries: every attempt timing out, and each wait the longest of the backoff (doubled
    /// for jitter) and the longest <c>Retry-After</c> honoured.
    /// </summary>
    public TimeSpan LongestCall
    {
        get
        {
            var retries = Math.Max(0, Retries);
            var backoff = RetryDelay * Math.Pow(2, retries) * 2;
            var wait = backoff > HttpWrkPlatformClient.MaxRetryAfterWait ? backoff : HttpWrkPlatformClient.MaxRetryAfterWait;
            return Timeout * (retries + 1) + wait * retries;
        }
    }

    /// <summary>
    /// <c>whsec_…</c> secrets the run-event webhook accepts (several during a rotation). Empty in Simulated mode: the process
    /// makes one up and the simulator signs with it.
    /// </summary>
    public List<string> WebhookSecrets { get; set; } = [];

    public const string ProductionRule =
        "In Production the WRK Platform is never simulated by default: set WrkPlatform:BaseUrl (and Token), or WrkPlatform:Mode=Simulated on purpose.";

    /// <summary>
    /// A production instance with no platform URL would launch workflows into process memory, refuse the real platform's
    /// signed events and let operators inject usage: it does not start unless the simulator was asked for by name.
    /// </summary>
    public static bool IsAllowedIn(WrkPlatformOptions o, Microsoft.Extensions.Hosting.IHostEnvironment env) =>
        !string.Equals(env.EnvironmentName, "Production", StringComparison.OrdinalIgnoreCase) || !o.IsSimulated ||
        string.Equals(o.Mode, "Simulated", StringComparison.OrdinalIgnoreCase);

    public bool IsSimulated => string.Equals(Mode, "Simulated", StringComparison.OrdinalIgnoreCase) ||
                               (string.IsNullOrWhiteSpace(Mode) && string.IsNullOrWhiteSpace(BaseUrl));
}

/// <summary>
/// The webhook's secrets as keys: the configured ones, or in Simulated mode with none configured, one made up for this process
/// (the simulator signs with <see cref="SigningSecret"/>). A configured secret that is not <c>whsec_</c> base64 stops the start.
/// </summary>
public sealed class WebhookSecretKeys
{
    public WebhookSecretKeys(IOptions<WrkPlatformOptions> options)
    {
        var o = options.Value;
        var secrets = o.WebhookSecrets.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (secrets.Count == 0 && o.IsSimulated)
        {
            secrets.Add(WebhookSignatures.NewSecret());
        }
        Keys = secrets.Select(s => WebhookSignatures.KeyOf(s)
            ?? throw new InvalidOperationException("WrkPlatform:WebhookSecrets holds a value that is not a whsec_<base64> secret of at least 16 bytes.")).ToList();
        SigningSecret = secrets.FirstOrDefault();
    }

    public IReadOnlyList<byte[]> Keys { get; }

    /// <summary>The first secret: what the simulator signs with (the newest in a rotation is listed first).</summary>
    public string? SigningSecret { get; }
}
