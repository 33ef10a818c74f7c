using WrkCopilot.Features.Flows.Flow25_CredentialReferences;

namespace WrkCopilot.Tests.Flows.Flow25_CredentialReferences;

/// <summary>The secret heuristics must not refuse the ordinary error messages the platform reports for failed credentials.</summary>
public sealed class CredentialReferenceRulesTests
{
    [Theory]
    [InlineData("OAuth grant revoked by the Salesforce admin")]
    [InlineData("Invalid token: expired on 2026-11-01")]
    [InlineData("Basic authentication failed for user ops@example.com")]
    [InlineData("The risk-based login check blocked the connection")]
    [InlineData("cred_550e8400-e29b-41d4-a716-446655440000")]
    public void Ordinary_text_and_references_do_not_look_like_secrets(string text) =>
        Assert.Null(CredentialReferenceRules.SecretSign(text));

    [Fact]
    public void Hex_tops_out_below_the_random_material_threshold_so_only_its_length_flags_it()
    {
        Assert.True(CredentialReferenceRules.Entropy("0123456789abcdef") <= 4.0);
        Assert.NotNull(CredentialReferenceRules.SecretSign(new string('a', 8) + "0123456789abcdef0123456789abcdef01234567"));
    }
}
