using System.Text;
using CsCheck;

namespace WrkCopilot.Tests.Security.Fuzzing;

/// <summary>
/// One request of the fuzz. <paramref name="RouteText"/>: null for the world's real ids, else the raw text put in every route
/// parameter. <paramref name="Signed"/>: for a signed webhook, whether a valid signature over the (garbage) body is sent.
/// </summary>
public sealed record FuzzCase(string Label, string? RouteText, string Query, byte[]? Body, string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers, bool WithSignature)
{
    public override string ToString()
    {
        var body = Body is null ? "(none)" : Body.Length > 160
            ? $"{Encoding.UTF8.GetString(Body, 0, 160)}… ({Body.Length:N0} bytes)"
            : Encoding.UTF8.GetString(Body);
        var query = Query.Length > 160 ? Query[..160] + $"… ({Query.Length:N0} chars)" : Query;
        var route = RouteText is { Length: > 80 } r ? r[..80] + "…" : RouteText ?? "(real ids)";
        var headers = string.Join("; ", Headers.Select(h => $"{h.Key}: {(h.Value.Length > 60 ? h.Value[..60] + $"… ({h.Value.Length:N0})" : h.Value)}"));
        return $"[{Label}] route={route} query={query} content-type={ContentType ?? "(none)"} signed={WithSignature} headers={headers} body={body}";
    }
}

/// <summary>
/// The inputs: CsCheck generators of hostile requests around an endpoint's declared shape (wrong types, missing and unknown
/// fields, nulls, huge and malformed text, extreme numbers, bad enums, deep nesting, bad query strings, headers and route ids),
/// and a fixed list of the nastiest cases that every endpoint gets on every run.
/// </summary>
public static class FuzzInputs
{
    /// <summary>Stands for bytes that are not UTF-8 in a JSON text; swapped for them when the body is encoded.</summary>
    private const string InvalidUtf8Marker = "\u0001INVALID_UTF8\u0001";
    private static readonly byte[] InvalidUtf8 = [0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80];
    private const string BaselineUuid = "01900000-0000-7000-8000-000000000001";

    // ---- JSON values (as JSON text) ----

    public static string Baseline(FuzzField f) => f.Kind switch
    {
        FieldKind.Text => "\"fuzz\"",
        FieldKind.WholeNumber or FieldKind.Number => "1",
        FieldKind.Boolean => "true",
        FieldKind.Uuid => $"\"{BaselineUuid}\"",
        FieldKind.Enum => $"\"{f.EnumValues.FirstOrDefault() ?? "x"}\"",
        FieldKind.DateTime => "\"2026-01-01T00:00:00Z\"",
        FieldKind.Date => "\"2026-01-01\"",
        FieldKind.Array => "[]",
        _ => "{}",
    };

    private static readonly string[] AnyType = ["123", "-1", "1.5", "\"text\"", "true", "false", "null", "[]", "{}", "[1,\"a\",null]", "{\"a\":{\"b\":1}}", "\"\""];

    private static readonly string[] Numbers =
    [
        "-1", "0", "-0", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "1.5",
        "1e-400", "1E+2", "99999999999999999999999999999999", "0.0000000000000000000000000001", "1e308", "79228162514264337593543950336",
        "NaN", "Infinity", "0x10", "01", "1.", ".5", "+1", "\"1\"", "\"-1\"", "\"1e400\"", "\"99999999999999999999.99\"", "\"NaN\"",
    ];

    private static readonly string[] Texts =
    [
        "\"\"", "\" \"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\ud800\\ud800\"", "\"\\udfff\\ud800\"",
        $"\"a{InvalidUtf8Marker}b\"", "\"<script>alert(1)</script>\"", "\"' OR 1=1--\"", "\"%00\"", "\"\\u202e\\u200b\"",
        "\"\U0001F600\U0001F600\"", "\"../../etc/passwd\"", "\"\\\\\\\"\"", "\"\\n\\r\\t\"", "\"\\u0001\\u001f\\u007f\"",
        "\"2026-02-30T25:61:61Z\"", "\"-1\"", "\"1e400\"", "\"null\"", "\"ABC-not-a-uuid\"", "\"00000000-0000-0000-0000-000000000000\"",
    ];

    private static readonly string[] Enums = ["\"NOT_A_VALUE\"", "\"ADMIN\"", "\"\"", "\" admin\"", "\"0\"", "0", "1", "\"a\\u0000\"", "\"\\ud800\""];

    public static string HugeText(int length, char c = 'x') => "\"" + new string(c, length) + "\"";

    public static string DeepArray(int depth) => new string('[', depth) + new string(']', depth);

    public static string DeepObject(int depth) =>
        new StringBuilder().Insert(0, "{\"a\":", depth).Append('1').Append('}', depth).ToString();

    // ---- generators ----

    private static Gen<string> Pick(params string[] values) => Gen.OneOf(values);

    private static readonly IReadOnlyList<KeyValuePair<string, string>> NoHeaders = [];

    /// <summary>One value from each generator, in order.</summary>
    private static Gen<T[]> Sequence<T>(IEnumerable<Gen<T>> gens) =>
        gens.Aggregate(Gen.Const(Array.Empty<T>()), (acc, g) => Gen.Select(acc, g, (a, x) => (T[])[.. a, x]));

    /// <summary>A hostile value for a field of this kind: mostly shaped for it, sometimes any type at all.</summary>
    public static Gen<string> HostileValue(FuzzField f) => Gen.Frequency<string>(
        (3, Pick(AnyType)),
        (f.Kind is FieldKind.WholeNumber or FieldKind.Number ? 6 : 2, Pick(Numbers)),
        (f.Kind is FieldKind.Text or FieldKind.Uuid or FieldKind.DateTime or FieldKind.Date ? 6 : 2, Pick(Texts)),
        (f.Kind == FieldKind.Enum ? 6 : 1, Pick(Enums)),
        (1, Gen.Int[1_000, 5_000].Select(d => Gen.Bool.Select(o => o ? DeepObject(d) : DeepArray(d))).SelectMany(g => g)),
        (1, Gen.Int[100_000, 2_000_000].Select(n => HugeText(n))),
        (2, Gen.String[Gen.Char.AlphaNumeric, 0, 40].Select(s => "\"" + s + "\"")),
        (1, Gen.Int[0, 3].Select(n => "[" + string.Join(",", Enumerable.Repeat(Baseline(f), n)) + "]")));

    /// <summary>A body around the declared members: each kept, dropped, set to null or to a hostile value; sometimes an unknown member.</summary>
    public static Gen<string> ObjectBody(IReadOnlyList<FuzzField> fields)
    {
        var members = fields.Select(f => Gen.Frequency<string?>(
                (4, Gen.Const<string?>($"\"{f.Name}\":{Baseline(f)}")),
                (1, Gen.Const((string?)null)),
                (1, Gen.Const<string?>($"\"{f.Name}\":null")),
                (4, HostileValue(f).Select(v => (string?)$"\"{f.Name}\":{v}"))))
            .ToArray();
        var extra = Gen.Frequency<string?>((4, Gen.Const((string?)null)),
            (1, HostileValue(new FuzzField("x", FieldKind.Text, [])).Select(v => (string?)$"\"unknown_field\":{v}")),
            (1, Gen.Const<string?>("\"__proto__\":{\"admin\":true}")));
        var all = members.Append(extra).ToArray();
        return Sequence(all).Select(parts => "{" + string.Join(",", parts.Where(p => p is not null)) + "}");
    }

    /// <summary>A whole body that is not the object the endpoint expects.</summary>
    public static Gen<string?> WholeBody(IReadOnlyList<FuzzField> fields) => Gen.Frequency<string?>(
        (1, Gen.Const((string?)null)),
        (1, Pick("null", "[]", "\"text\"", "1", "true", "{", "{\"a\":", "}", "{}}", "{,}", "{\"a\":1,}", "\uFEFF{}", "{} {}", "nul").Select(s => (string?)s)),
        (1, Gen.Const<string?>("[" + BaselineObject(fields) + "]")),
        (1, Gen.Int[1_000, 5_000].Select(d => (string?)DeepArray(d))),
        (1, Gen.Const<string?>(InvalidUtf8Marker)),
        (1, Gen.Int[100_000, 2_000_000].Select(n => (string?)("{\"pad\":" + HugeText(n) + "}"))));

    public static string BaselineObject(IReadOnlyList<FuzzField> fields) =>
        "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{Baseline(f)}")) + "}";

    private static readonly string[] BadContentTypes =
    [
        "text/plain", "application/xml", "multipart/form-data", "multipart/form-data; boundary=xyz", "application/json; charset=utf-16",
        "application/x-www-form-urlencoded", "%%%/garbage", "application/json; charset=bogus", "application/problem+json", ";;;", "*/*",
    ];

    public static Gen<string?> ContentType() => Gen.Frequency<string?>(
        (8, Gen.Const<string?>("application/json")),
        (2, Pick(BadContentTypes).Select(s => (string?)s)),
        (1, Gen.Const((string?)null)));

    private static readonly string[] IntegerQuery = ["0", "-1", "201", "99999999999", "abc", "1e3", "1.5", "", "%00", "+1", "0x10", "2147483648"];
    private static readonly string[] TextQuery = ["%00", "%FF", "%ED%A0%80", "%27%20OR%201%3D1--", "", "a%0Ab", "%C3%28"];
    private static readonly string[] UuidQuery = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1", "%7B%7D", "%00", "ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ"];
    private static readonly string[] EnumQuery = ["bogus", "ADMIN", "", "%00", "1", "admin%00"];
    private static readonly string[] BoolQuery = ["maybe", "2", "", "-1", "TRUE%00"];
    private static readonly string[] DateQuery = ["2026-13-45", "0000-00-00", "99999-01-01", "yesterday", "-1", "2026-01-01T99:00:00Z"];

    /// <summary>Cursors this API never issued: garbage, base64 of wrong shapes, out-of-range ticks, too long.</summary>
    public static readonly string[] BadCursors =
    [
        "garbage", "%25%25%25", Base64Url("abc:def"), Base64Url("-1:" + Guid.Empty.ToString("N")),
        Base64Url("99999999999999999999:5f0c1f8e8b1a4c619d4e7a2b3c4d5e6f"), Base64Url("1:" + Guid.Empty.ToString("N") + ":x"),
        new string('A', 5_000), "", "====", "%00", Base64Url("\u0000"),
    ];

    private static string Base64Url(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static IReadOnlyList<string> BadQueryValues(FuzzField f) => f.Kind switch
    {
        FieldKind.WholeNumber or FieldKind.Number => IntegerQuery,
        FieldKind.Uuid => UuidQuery,
        FieldKind.Enum => EnumQuery,
        FieldKind.Boolean => BoolQuery,
        FieldKind.DateTime or FieldKind.Date => DateQuery,
        _ when f.Name == "cursor" => BadCursors,
        _ => TextQuery,
    };

    /// <summary>A query string: each declared parameter absent, bad, or repeated; sometimes huge or unknown parameters.</summary>
    public static Gen<string> Query(IReadOnlyList<FuzzField> fields)
    {
        var all = fields.Append(new FuzzField("limit", FieldKind.WholeNumber, [])).Append(new FuzzField("cursor", FieldKind.Text, []))
            .DistinctBy(f => f.Name).ToArray();
        var parts = all.Select(f => Gen.Frequency<string>(
                (3, Gen.Const("")),
                (4, Pick([.. BadQueryValues(f)]).Select(v => $"{f.Name}={v}")),
                (1, Pick([.. BadQueryValues(f)]).Select(v => $"{f.Name}=1&{f.Name}={v}"))))
            .Append(Gen.Frequency<string>((6, Gen.Const("")), (1, Gen.Const("unknown=1")), (1, Gen.Int[2_000, 20_000].Select(n => "q=" + new string('q', n)))))
            .ToArray();
        return Sequence(parts).Select(p => p.Where(s => s.Length > 0).ToArray() is { Length: > 0 } present ? "?" + string.Join("&", present) : "");
    }

    private static readonly string[] BadIfMatch = ["W/\"1\"", "abc", "\"99999999999999999999\"", "\"-1\"", "*", "\"\"", "\"1\", x", ",,,", "\"1"];

    public static Gen<IReadOnlyList<KeyValuePair<string, string>>> Headers(FuzzTarget t) => Gen.Frequency<IReadOnlyList<KeyValuePair<string, string>>>(
        (5, Gen.Const(NoHeaders)),
        (2, Pick(BadIfMatch).Select(v => (IReadOnlyList<KeyValuePair<string, string>>)[new("If-Match", v)])),
        (2, Gen.Int[256, 20_000].Select(n => (IReadOnlyList<KeyValuePair<string, string>>)[new("Idempotency-Key", new string('k', n))])),
        (1, Gen.Const<IReadOnlyList<KeyValuePair<string, string>>>(new KeyValuePair<string, string>[] { new("Idempotency-Key", " ") })),
        (1, Gen.Int[200, 8_000].Select(n => (IReadOnlyList<KeyValuePair<string, string>>)[new("X-Request-Id", new string('r', n))])));

    /// <summary>Not <c>%00</c>: the test host refuses a NUL in a path before the app sees it (as Kestrel does, with a 400).</summary>
    private static readonly string[] MalformedIds =
    [
        "not-a-uuid", "00000000-0000-0000-0000-000000000000", "1", "%FF", "..", "%2E%2E%2F", "%7Bid%7D", "ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ",
        "-1", "0190000000007000800000000000000100", "%ED%A0%80", new string('a', 3_000),
    ];

    public static Gen<string?> RouteText(FuzzTarget t) => t.RouteParams.Count == 0
        ? Gen.Const((string?)null)
        : Gen.Frequency<string?>(
            (7, Gen.Const((string?)null)),
            (2, Gen.Guid.Select(g => (string?)g.ToString())),
            (2, Pick(MalformedIds).Select(s => (string?)s)));

    /// <summary>The random cases of <paramref name="t"/>: every dimension of the request varied together.</summary>
    public static Gen<FuzzCase> Cases(FuzzTarget t)
    {
        var body = t.TakesBody
            ? Gen.Frequency<string?>((6, ObjectBody(t.Body).Select(s => (string?)s)), (2, WholeBody(t.Body)))
            : Gen.Frequency<string?>((8, Gen.Const((string?)null)), (1, ObjectBody(t.Body).Select(s => (string?)s)));
        var query = t.Query.Count > 0 || !t.TakesBody
            ? Gen.Frequency<string>((1, Gen.Const("")), (3, Query(t.Query)))
            : Gen.Frequency<string>((5, Gen.Const("")), (1, Query(t.Query)));
        return Gen.Select(RouteText(t), query, body, ContentType(), Headers(t), Gen.Bool,
            (route, q, b, ct, h, signed) => new FuzzCase("random", route, q, Encode(b), b is null ? null : ct, h, signed));
    }

    public static byte[]? Encode(string? json)
    {
        if (json is null)
        {
            return null;
        }
        var marker = json.IndexOf(InvalidUtf8Marker, StringComparison.Ordinal);
        if (marker < 0)
        {
            return Encoding.UTF8.GetBytes(json);
        }
        return [.. Encoding.UTF8.GetBytes(json[..marker]), .. InvalidUtf8, .. Encode(json[(marker + InvalidUtf8Marker.Length)..])!];
    }

    // ---- the fixed list ----

    /// <summary>The nastiest inputs, every one sent to every endpoint on every run (both signed and unsigned to a webhook).</summary>
    public static IEnumerable<FuzzCase> Deterministic(FuzzTarget t)
    {
        FuzzCase Body(string label, string? json, string? contentType = "application/json") =>
            new(label, null, "", Encode(json), json is null ? null : contentType, [], true);
        FuzzCase EveryField(string label, Func<FuzzField, string> value) =>
            Body(label, "{" + string.Join(",", (t.Body.Count > 0 ? t.Body : [new FuzzField("unknown_field", FieldKind.Text, [])])
                .Select(f => $"\"{f.Name}\":{value(f)}")) + "}");
        var first = t.Body.FirstOrDefault() ?? new FuzzField("unknown_field", FieldKind.Text, []);
        var baseline = BaselineObject(t.Body);

        var cases = new List<FuzzCase>();
        if (t.TakesBody)
        {
            cases.AddRange(
            [
                Body("empty body, no content type", null),
                Body("null", "null"),
                Body("array instead of object", "[]"),
                Body("array of the object", "[" + baseline + "]"),
                Body("truncated", "{"),
                Body("invalid UTF-8 at root", InvalidUtf8Marker),
                Body("empty object", "{}"),
                Body("unknown field", baseline.Length > 2 ? baseline[..^1] + ",\"unknown_field\":1}" : "{\"unknown_field\":1}"),
                EveryField("every field null", _ => "null"),
                EveryField("NUL in every text", f => f.Kind is FieldKind.Text or FieldKind.Uuid or FieldKind.Enum or FieldKind.DateTime or FieldKind.Date ? "\"a\\u0000b\"" : Baseline(f)),
                EveryField("lone surrogate in every text", f => f.Kind is FieldKind.Text or FieldKind.Uuid or FieldKind.Enum or FieldKind.DateTime or FieldKind.Date ? "\"\\ud800\"" : Baseline(f)),
                EveryField("invalid UTF-8 in every text", f => f.Kind is FieldKind.Text or FieldKind.Uuid or FieldKind.Enum ? $"\"a{InvalidUtf8Marker}\"" : Baseline(f)),
                EveryField("1e400 in every number", f => f.Kind is FieldKind.WholeNumber or FieldKind.Number ? "1e400" : Baseline(f)),
                EveryField("-1 in every number", f => f.Kind is FieldKind.WholeNumber or FieldKind.Number ? "-1" : Baseline(f)),
                EveryField("fraction in every number", f => f.Kind is FieldKind.WholeNumber or FieldKind.Number ? "1.5" : Baseline(f)),
                EveryField("bad enum everywhere", f => f.Kind == FieldKind.Enum ? "\"NOT_A_VALUE\"" : Baseline(f)),
                EveryField("wrong type for every field", f => f.Kind is FieldKind.Text or FieldKind.Uuid or FieldKind.Enum or FieldKind.DateTime or FieldKind.Date ? "123" : "\"text\""),
                Body("deep array at root (1,500)", DeepArray(1_500)),
                Body("deep object in first field (1,500)", $"{{\"{first.Name}\":{DeepObject(1_500)}}}"),
                Body("200 KB text in first field", $"{{\"{first.Name}\":{HugeText(200_000)}}}"),
                Body("2 MB body", "{\"pad\":" + HugeText(2_000_000) + "}"),
                Body("text/plain content type", baseline, "text/plain"),
                Body("a body without a content type", baseline, null),
                Body("unknown charset", baseline, "application/json; charset=bogus"),
                Body("multipart without boundary", baseline, "multipart/form-data"),
            ]);
        }
        cases.AddRange(
        [
            Query("limit=0, cursor garbage", "?limit=0&cursor=garbage"),
            Query("limit non-numeric", "?limit=abc"),
            Query("limit huge, cursor out-of-range ticks", "?limit=99999999999&cursor=" + BadCursors[4]),
            Query("every query parameter bad, limit repeated", "?limit=-1&limit=2" +
                string.Concat(t.Query.Select(f => $"&{f.Name}={BadQueryValues(f)[0]}&{f.Name}={BadQueryValues(f)[^1]}"))),
            Header("If-Match garbage", "If-Match", "W/\"1\", \"99999999999999999999\", abc"),
            Header("Idempotency-Key 20,000 chars", "Idempotency-Key", new string('k', 20_000)),
        ]);
        if (t.RouteParams.Count > 0)
        {
            cases.Add(Route("malformed route id", "not-a-uuid"));
            cases.Add(Route("random route id", "5f0c1f8e-8b1a-4c61-9d4e-7a2b3c4d5e6f"));
        }
        if (t.Caller == CallAs.SignedWebhook)
        {
            // The signature is the credential: every case again without it.
            cases.AddRange(cases.Select(c => c with { Label = c.Label + " (unsigned)", WithSignature = false }).ToList());
        }
        return cases;

        FuzzCase Query(string label, string query) => new(label, null, query, t.TakesBody ? Encode(baseline) : null,
            t.TakesBody ? "application/json" : null, [], true);
        FuzzCase Header(string label, string name, string value) => new(label, null, "", t.TakesBody ? Encode(baseline) : null,
            t.TakesBody ? "application/json" : null, [new(name, value)], true);
        FuzzCase Route(string label, string text) => new(label, text, "", t.TakesBody ? Encode(baseline) : null,
            t.TakesBody ? "application/json" : null, [], true);
    }
}
