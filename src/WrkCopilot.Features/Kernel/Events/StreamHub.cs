using System.Collections.Concurrent;
using System.Threading.Channels;

namespace WrkCopilot.Features.Kernel.Events;

/// <summary>
/// In-process fan-out of "tenant T has new events" to this instance's open streams. It carries no event
/// data: each subscriber reads its own tenant's rows (RLS applies), so a wake-up can never leak anything.
/// </summary>
public sealed class StreamHub
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<StreamSubscription, byte>> _byTenant = new();

    public StreamSubscription Subscribe(Guid tenantId)
    {
        var subscription = new StreamSubscription(this, tenantId);
        _byTenant.GetOrAdd(tenantId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    internal void Wake(Guid tenantId)
    {
        if (_byTenant.TryGetValue(tenantId, out var subscriptions))
        {
            foreach (var s in subscriptions.Keys)
            {
                s.Wake();
            }
        }
    }

    /// <summary>After the listener (re)connects: anything may have been committed while nobody listened.</summary>
    internal void WakeAll()
    {
        foreach (var subscriptions in _byTenant.Values)
        {
            foreach (var s in subscriptions.Keys)
            {
                s.Wake();
            }
        }
    }

    internal void Remove(StreamSubscription subscription)
    {
        if (_byTenant.TryGetValue(subscription.TenantId, out var subscriptions))
        {
            subscriptions.TryRemove(subscription, out _);
        }
    }
}

public sealed class StreamSubscription : IDisposable
{
    private readonly StreamHub _hub;

    // One pending wake-up is enough: the reader catches up on everything after its last id anyway.
    private readonly Channel<byte> _signal = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    internal StreamSubscription(StreamHub hub, Guid tenantId)
    {
        _hub = hub;
        TenantId = tenantId;
    }

    public Guid TenantId { get; }

    internal void Wake() => _signal.Writer.TryWrite(0);

    /// <summary>True when woken, false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _signal.Reader.ReadAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _hub.Remove(this);
}
