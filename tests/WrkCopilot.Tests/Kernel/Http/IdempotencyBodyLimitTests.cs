using System.Net;
using System.Text;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Kernel.Http;

/// <summary>The idempotency middleware reads the body ahead to hash it: the endpoint's body limit must hold there too.</summary>
public sealed class IdempotencyBodyLimitTests(IdempotencyApp app) : IClassFixture<IdempotencyApp>
{
    [Fact]
    public async Task A_chunked_body_over_the_limit_is_413_while_hashing_and_leaves_the_key_free()
    {
        var caller = await app.SignUpAsync();
        using var client = app.Client(caller.AccessToken);
        var huge = Encoding.UTF8.GetBytes($$"""{"name":"{{new string('x', (1024 * 1024) + 10)}}"}""");

        using var tooLarge = new HttpRequestMessage(HttpMethod.Post, "/v1/test/widgets")
        {
            // No Content-Length: only reading the body can find out its size.
            Content = new StreamContent(new MemoryStream(huge)) { Headers = { { "Content-Type", "application/json" } } },
        };
        tooLarge.Headers.Add("Idempotency-Key", "big-1");
        tooLarge.Headers.TransferEncodingChunked = true;
        var refused = await (await client.SendAsync(tooLarge)).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);

        using var small = new HttpRequestMessage(HttpMethod.Post, "/v1/test/widgets")
        {
            Content = new StringContent("""{"name":"gear"}""", Encoding.UTF8, "application/json"),
        };
        small.Headers.Add("Idempotency-Key", "big-1");
        await (await client.SendAsync(small)).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("payload_too_large", refused.GetProperty("code").GetString());
    }
}
