using System.Text.RegularExpressions;
using WrkCopilot.Features.Kernel.Lifecycle;

namespace WrkCopilot.Tests.Kernel.Lifecycle;

/// <summary>The README's lifecycle picture is the transition table: when they differ, this fails and prints the right text.</summary>
public sealed partial class LifecycleDiagramTests
{
    [Fact]
    public void The_README_diagram_is_the_one_rendered_from_the_transition_table()
    {
        var path = Path.Combine(RepoRoot(), "README.md");
        var readme = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        var expected = LifecycleDiagram.Render();
        var block = Block().Match(readme);

        Assert.True(block.Success && block.Groups["diagram"].Value == expected,
            "README.md's lifecycle block is out of date. Put this between <!-- lifecycle:start --> and <!-- lifecycle:end -->:\n\n" +
            "```mermaid\n" + expected + "```\n");
    }

    [Fact]
    public void The_diagram_draws_every_row_of_the_table()
    {
        var diagram = LifecycleDiagram.Render();

        Assert.StartsWith("stateDiagram-v2\n", diagram);
        foreach (var row in TransitionTable.Rows)
        {
            Assert.Contains($" : {row.Id} Flow {row.Flow} (", diagram);
        }
        Assert.Contains("state \"any status but archived or blocked\" as T11_from", diagram);
        Assert.Contains("blocked --> T12_to", diagram);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "WrkCopilot.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("WrkCopilot.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"<!-- lifecycle:start -->\s*```mermaid\n(?<diagram>.*?)```\s*<!-- lifecycle:end -->", RegexOptions.Singleline)]
    private static partial Regex Block();
}
