using WrkCopilot.Features.Kernel.Errors;
using WrkCopilot.Features.Kernel.Lifecycle;

namespace WrkCopilot.Tests.Kernel.Lifecycle;

/// <summary>
/// The kernel fails closed: a transition is available only when every required effect it needs is implemented.
/// The set of transitions available today is written here, so implementing (or losing) an effect shows up.
/// </summary>
public sealed class TransitionAvailabilityTests
{
    private static readonly string[] Blockable =
    [
        "intake_in_progress", "needs_pricing", "awaiting_client_approval", "build_in_progress", "qa_testing",
        "ready_to_launch", "live", "paused",
    ];

    private static HashSet<string> ImplementedEffectIds() =>
        typeof(TransitionTable).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ITransitionEffect).IsAssignableFrom(t))
            .Select(t => ((ITransitionEffect)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(t)).Id)
            .ToHashSet();

    private static TransitionRow Row(string id) => TransitionTable.Rows.Single(r => r.Id == id);

    /// <summary>Every decision the table allows, labelled "T12 to qa_testing" where the target varies.</summary>
    private static IEnumerable<(string Label, Decision Decision)> AllDecisions() =>
        TransitionTable.Rows.SelectMany(row => row.ReturnsToStatusBeforeBlocked
            ? Blockable.Select(to => ($"{row.Id} to {to}", new Decision(row, "blocked", to, null)))
            : row.From.Statuses.Take(1).Select(from => (row.Id, new Decision(row, from, row.To, "r"))));

    [Fact]
    public void The_transitions_available_today_are_exactly_the_ones_whose_effects_exist()
    {
        var implemented = ImplementedEffectIds();

        var available = AllDecisions()
            .Where(d => TransitionAvailability.MissingEffects(d.Decision, implemented).Count == 0)
            .Select(d => d.Label)
            .ToHashSet();

        // Every transition is available: Flows 11, 14-16 and Kernel/Builds' request_build bring T1-T4, T7 and T12 back into
        // build_in_progress; Kernel/Builds' build_checklist_tasks (the build worker's T5); Flows 24/24A/24B/35 the platform
        // effects of T8-T10 and T13 (which refuse at run time unless PlatformTransitions made the platform call).
        string[] expected =
        [
            "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T13", "T12 to build_in_progress",
            "T12 to intake_in_progress", "T12 to needs_pricing", "T12 to awaiting_client_approval", "T12 to qa_testing",
            "T12 to ready_to_launch", "T12 to live", "T12 to paused",
        ];
        Assert.Equal(expected.Order(), available.Order());
    }

    [Fact]
    public void Every_required_hook_without_an_implementation_is_reported_and_notifications_never_are()
    {
        var t3 = new Decision(Row("T3"), "awaiting_client_approval", "build_in_progress", null);
        Assert.Equal(["quote_signed", "request_build"], TransitionAvailability.MissingEffects(t3, []).Select(h => h.Id));
        Assert.Equal(["request_build"], TransitionAvailability.MissingEffects(t3, ["quote_signed"]).Select(h => h.Id));
        Assert.Empty(TransitionAvailability.MissingEffects(t3, ["quote_signed", "request_build"]));

        var t1 = new Decision(Row("T1"), "intake_in_progress", "needs_pricing", null);
        Assert.Equal(["create_draft_quote", "pricing_status_draft", "pricing_task"], TransitionAvailability.MissingEffects(t1, []).Select(h => h.Id));
        var t6 = new Decision(Row("T6"), "qa_testing", "ready_to_launch", null);
        Assert.Empty(TransitionAvailability.MissingEffects(t6, []));

        // request_build applies to T12 only when the version returns to build_in_progress.
        Assert.Equal(["request_build"],
            TransitionAvailability.MissingEffects(new Decision(Row("T12"), "blocked", "build_in_progress", null), []).Select(h => h.Id));
        Assert.Empty(TransitionAvailability.MissingEffects(new Decision(Row("T12"), "blocked", "qa_testing", null), []));

        // Every required, applicable hook of every row with nothing implemented.
        foreach (var (label, decision) in AllDecisions())
        {
            var expected = decision.Transition.Effects.Where(h => h.Required && (h.When is null || h.When(decision))).Select(h => h.Id);
            Assert.True(expected.SequenceEqual(TransitionAvailability.MissingEffects(decision, []).Select(h => h.Id)), label);
        }
        Assert.All(TransitionTable.Rows.SelectMany(r => r.Effects).Where(h => h.Id.StartsWith("notify_")), h => Assert.False(h.Required, h.Id));
        Assert.All(TransitionTable.Rows.SelectMany(r => r.Effects).Where(h => !h.Id.StartsWith("notify_")), h => Assert.True(h.Required, h.Id));
    }

    [Fact]
    public void An_unavailable_transition_is_a_409_naming_the_missing_hooks_and_their_flows()
    {
        var row = Row("T3");
        var error = LifecycleKernel.Unavailable(row, TransitionAvailability.MissingEffects(new Decision(row, "awaiting_client_approval", "build_in_progress", null), []));

        Assert.Equal(409, AppErrors.StatusOf(error));
        Assert.Equal("transition_unavailable", error.Code);
        Assert.Equal("T3 needs quote_signed (Flow 15), request_build (Flow 21), which are not available yet.", error.Description);
        Assert.Equal(["quote_signed", "request_build"], (IEnumerable<string>)error.Metadata!["missing_effects"]);
        Assert.Equal("T3", error.Metadata["transition"]);
    }
}
