using Microsoft.AspNetCore.Hosting;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow02_Login;

/// <summary>Production without Auth:SigningKeys would give every instance its own key: it must not start.</summary>
public sealed class ProductionWithoutKeysApp : WrkApp
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        [new("Auth:SigningKeys:0:Secret", ""), new("WrkPlatform:Mode", "Simulated")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

public sealed class SigningKeyConfigurationTests
{
    [Fact]
    public async Task Production_refuses_to_start_without_signing_keys()
    {
        await using var app = new ProductionWithoutKeysApp();
        await app.InitializeAsync();

        var error = Assert.Throws<InvalidOperationException>(() => app.Server);

        Assert.Contains("Auth:SigningKeys", error.Message, StringComparison.Ordinal);
    }
}
