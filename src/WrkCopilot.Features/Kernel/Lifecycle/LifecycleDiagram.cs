using System.Text;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Auth;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// Renders <see cref="TransitionTable"/> as a Mermaid <c>stateDiagram-v2</c> for the README (a test keeps the
/// two equal). Rows that start from "any status but …" or return to <c>status_before_blocked</c> are drawn
/// from or to one labelled pseudo-state, so the picture stays readable and still says what the table says.
/// </summary>
public static class LifecycleDiagram
{
    public static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("stateDiagram-v2\n");
        sb.Append("    [*] --> ").Append(VersionStatuses.IntakeInProgress).Append('\n');
        foreach (var row in TransitionTable.Rows)
        {
            var from = row.From.Statuses.Count == 1 ? row.From.Statuses[0] : Declare(sb, $"{row.Id}_from", row.From.Label);
            var to = row.ReturnsToStatusBeforeBlocked ? Declare(sb, $"{row.Id}_to", TransitionTable.StatusBeforeBlocked) : row.To;
            sb.Append("    ").Append(from).Append(" --> ").Append(to).Append(" : ").Append(Label(row)).Append('\n');
        }
        sb.Append("    ").Append(VersionStatuses.Archived).Append(" --> [*]\n");
        return sb.ToString();
    }

    private static string Declare(StringBuilder sb, string id, string label)
    {
        sb.Append("    state \"").Append(label).Append("\" as ").Append(id).Append('\n');
        return id;
    }

    private static string Label(TransitionRow row) =>
        $"{row.Id} Flow {row.Flow} ({string.Join(", ", row.Actors.Select(ActorName))})";

    // flows.md's words: "client admin", "ops_admin", "operator admin", "system".
    private static string ActorName(string actor) => actor switch
    {
        AppRoles.OpsAdmin => "ops_admin",
        AppRoles.CsAdmin => "cs_admin",
        _ => actor.Replace(':', ' '),
    };
}
