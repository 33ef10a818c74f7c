using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Flows.Flow09_CaptureRequirements;

public sealed class RequirementsOpenApiTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public async Task The_upload_is_documented_as_json_text_or_a_multipart_list_of_files_with_its_413_and_415()
    {
        using var client = app.Client();
        var doc = await (await client.GetAsync("/swagger/v1/swagger.json")).ReadAsync();

        var post = doc.GetProperty("paths").GetProperty("/v1/automation-versions/{id}/requirements").GetProperty("post");
        var content = post.GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("application/json", out _));
        var files = content.GetProperty("multipart/form-data").GetProperty("schema").GetProperty("properties").GetProperty("files");
        Assert.Equal("array", files.GetProperty("type").GetString());
        Assert.Equal("binary", files.GetProperty("items").GetProperty("format").GetString());
        Assert.True(post.GetProperty("responses").TryGetProperty("413", out _));
        Assert.True(post.GetProperty("responses").TryGetProperty("415", out _));
    }
}
