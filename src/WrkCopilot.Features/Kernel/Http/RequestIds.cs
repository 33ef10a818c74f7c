using Microsoft.AspNetCore.Http;

namespace WrkCopilot.Features.Kernel.Http;

public static class RequestIds
{
    public const string Header = "X-Request-Id";
    private const string ItemKey = "wrk.request_id";

    public static string Get(HttpContext ctx) =>
        ctx.Items.TryGetValue(ItemKey, out var id) && id is string s ? s : ctx.TraceIdentifier;

    internal static void Set(HttpContext ctx, string id) => ctx.Items[ItemKey] = id;

    /// <summary>Accepts a caller's id when it is short and printable, else generates one; echoes it.</summary>
    public static string Resolve(HttpContext ctx)
    {
        var incoming = ctx.Request.Headers[Header].ToString();
        var id = incoming.Length is > 0 and <= 128 && incoming.All(c => c is > ' ' and < (char)127)
            ? incoming
            : Guid.CreateVersion7().ToString("N");
        Set(ctx, id);
        ctx.Response.Headers[Header] = id;
        return id;
    }
}
