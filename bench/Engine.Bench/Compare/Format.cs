using System.Globalization;
using Engine.Bench.Cases;

namespace Engine.Bench.Compare;

/// <summary>Number formatting for the compare table.</summary>
public static class Format
{
    public static string Time(double seconds) => seconds switch
    {
        < 1e-6 => $"{seconds * 1e9:0.0} ns",
        < 1e-3 => $"{seconds * 1e6:0.00} us",
        < 1 => $"{seconds * 1e3:0.00} ms",
        _ => $"{seconds:0.000} s",
    };

    public static string Number(double value) => value switch
    {
        >= 1e5 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 100 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    public static string Bytes(double bytes) => bytes switch
    {
        < 1024 => $"{bytes:0} B",
        < 1 << 20 => $"{bytes / 1024:0.0} KiB",
        _ => $"{bytes / (1 << 20):0.0} MiB",
    };

    public static string PeerName(Peer peer) => peer.ToString().ToLowerInvariant();
}
