using System.Text.RegularExpressions;
using WrkCopilot.Tests.Infrastructure;

namespace WrkCopilot.Tests.Security.Matrix;

/// <summary>
/// The access table and the running app name the same endpoints, so an endpoint added later fails here until someone
/// writes down who may call it (and the matrices then call it).
/// </summary>
public sealed partial class AccessTableTests(WrkApp app) : IClassFixture<WrkApp>
{
    [Fact]
    public void Every_endpoint_is_classified_and_every_row_names_an_endpoint()
    {
        var endpoints = ApiSurface.Endpoints(app);
        var rows = AccessTable.Rows.Select(r => r.Endpoint).ToList();
        var missing = endpoints.Except(rows).Order().ToList();
        var stale = rows.Except(endpoints).Order().ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"Endpoints missing from AccessTable: [{string.Join(", ", missing)}]; rows with no endpoint: [{string.Join(", ", stale)}]");
        Assert.True(endpoints.Count >= 80, $"only {endpoints.Count} endpoints found: is the enumeration broken?");
    }

    [Fact]
    public void Each_row_is_listed_once_and_names_the_kind_of_every_route_parameter()
    {
        var duplicates = AccessTable.Rows.GroupBy(r => r.Endpoint).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
        var wrong = AccessTable.Rows
            .Where(r => !RouteParameter().Matches(r.Route).Select(m => m.Groups[1].Value).SequenceEqual(r.Params.Select(p => p.Name)))
            .Select(r => r.Endpoint).ToList();
        Assert.True(wrong.Count == 0, "Rows whose parameters differ from their route's: " + string.Join(", ", wrong));
        var keyRowsWithoutPermission = AccessTable.Rows.Where(r => r.Allows(Callers.ApiKeyWithPermission) != (r.Permission is not null))
            .Select(r => r.Endpoint).ToList();
        Assert.Empty(keyRowsWithoutPermission);
        Assert.DoesNotContain(AccessTable.Rows, r => r.Allows(Callers.ApiKeyWithoutPermission));
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex RouteParameter();
}
