using NetArchTest.Rules;
using WrkCopilot.Features.Data;

namespace WrkCopilot.Tests.Architecture;

/// <summary>Flows share only through Kernel/ and Integrations/; the Kernel depends on no flow.</summary>
public sealed class ArchitectureTests
{
    private static readonly System.Reflection.Assembly Features = typeof(AppDbContext).Assembly;
    private const string FlowsNamespace = "WrkCopilot.Features.Flows";

    private static List<string> Flows() => Features.GetTypes().Select(t => t.Namespace).OfType<string>()
        .Where(n => n.StartsWith(FlowsNamespace + ".", StringComparison.Ordinal))
        .Select(n => string.Join('.', n.Split('.').Take(4))).Distinct().Order().ToList();

    public static TheoryData<string> FlowNamespaces() => new(Flows());

    [Theory]
    [MemberData(nameof(FlowNamespaces))]
    public void A_flow_never_depends_on_another_flow(string flow)
    {
        var others = Flows().Where(f => f != flow).ToArray();
        if (others.Length == 0)
        {
            return;
        }
        var result = Types.InAssembly(Features).That().ResideInNamespace(flow)
            .ShouldNot().HaveDependencyOnAny(others).GetResult();
        Assert.True(result.IsSuccessful, $"{flow} depends on another flow: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Kernel_data_and_integrations_depend_on_no_flow()
    {
        foreach (var layer in new[] { "WrkCopilot.Features.Kernel", "WrkCopilot.Features.Data", "WrkCopilot.Features.Integrations" })
        {
            var result = Types.InAssembly(Features).That().ResideInNamespace(layer)
                .ShouldNot().HaveDependencyOn(FlowsNamespace).GetResult();
            Assert.True(result.IsSuccessful, $"{layer} depends on a flow: {string.Join(", ", result.FailingTypeNames ?? [])}");
        }
    }

    [Fact]
    public void Every_flow_folder_is_named_FlowNN_Name()
    {
        var names = Flows().Select(f => f.Split('.').Last()).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Matches(@"^Flow\d\d[AB]?_[A-Z][A-Za-z]+$", n));
    }
}
