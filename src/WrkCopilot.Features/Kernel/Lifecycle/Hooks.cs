using Microsoft.Extensions.DependencyInjection;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Kernel.Lifecycle;

/// <summary>
/// What a guard or an effect sees: the tracked version (still in its old status for guards), the decision, the
/// actor and, for T11, the worker's kind of block (see <see cref="TransitionRequest.BlockKind"/>).
/// </summary>
public sealed record TransitionContext(AutomationVersion Version, Decision Decision, LifecycleActor Actor, string? BlockKind = null);

/// <summary>
/// A guard named in <see cref="TransitionTable"/> by <see cref="Id"/>. Runs in the handler's unit of work
/// (database access allowed) before anything changes; returns null to pass or the reason it fails
/// (answered as 409 <c>transition_guard_failed</c>).
/// </summary>
public interface ITransitionGuard
{
    string Id { get; }

    Task<string?> CheckAsync(TransitionContext context, CancellationToken ct);
}

/// <summary>
/// A side effect named in <see cref="TransitionTable"/> by <see cref="Id"/>. Runs after the status change in the
/// same unit of work, before the one <c>SaveChangesAsync</c>; it only adds or changes tracked rows (and outbox rows),
/// never calls the WRK Platform. Returns null once applied, or why it cannot be applied now: the transition is
/// then refused (409 <c>transition_unavailable</c>) and nothing it or the kernel changed is saved.
/// </summary>
public interface ITransitionEffect
{
    string Id { get; }

    Task<string?> ApplyAsync(TransitionContext context, CancellationToken ct);
}

/// <summary>Which effects a decision needs that no code implements yet (the kernel refuses such a transition).</summary>
public static class TransitionAvailability
{
    public static IReadOnlyList<Hook> MissingEffects(Decision decision, IEnumerable<string> registeredEffectIds)
    {
        var registered = registeredEffectIds.ToHashSet();
        return decision.Transition.Effects
            .Where(h => h.Required && h.AppliesTo(decision) && !registered.Contains(h.Id))
            .ToList();
    }
}

public static class LifecycleServices
{
    /// <summary>Registers every guard, effect and quote status change in the assembly, scoped; flows add theirs by declaring a class.</summary>
    public static IServiceCollection AddLifecycleHooks(this IServiceCollection services)
    {
        foreach (var type in typeof(LifecycleServices).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            if (typeof(ITransitionGuard).IsAssignableFrom(type))
            {
                services.AddScoped(typeof(ITransitionGuard), type);
            }
            if (typeof(ITransitionEffect).IsAssignableFrom(type))
            {
                services.AddScoped(typeof(ITransitionEffect), type);
            }
            if (typeof(Quotes.IQuoteStatusChange).IsAssignableFrom(type))
            {
                services.AddScoped(typeof(Quotes.IQuoteStatusChange), type);
            }
        }
        return services;
    }
}
