namespace WrkCopilot.Features.Flows.Flow17_VolumeUpgrade;

public sealed class VolumeUpgradeRequest
{
    /// <summary>The signed quote to amend (route).</summary>
    public Guid Id { get; set; }

    /// <summary>The monthly run volume the client commits to; its volume tier sets the amendment's price.</summary>
    public int? CommittedVolume { get; set; }
}
