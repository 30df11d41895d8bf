using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Copilot.Silo.Hosting;

/// <summary>Turns <see cref="ClusterSettings.AdvertisedIP"/> into the address other silos reach this one at: an IP
/// address as given, a host name resolved through DNS, or <see cref="Auto"/> for this machine's own address.</summary>
/// <remarks>A compose file or a Kubernetes pod template cannot know a container's address before it starts, but it
/// knows the container's host name (a compose service name resolves to the container), and a container has one
/// network address of its own.</remarks>
public static class AdvertisedAddress
{
    /// <summary>The value meaning "this machine's own address": the first IPv4 address of a network interface that is
    /// up and not a loopback. Meant for a container, which has one.</summary>
    public const string Auto = "auto";

    /// <summary>Resolves the setting; null when it names nothing this machine can resolve.</summary>
    /// <remarks>Unset means 127.0.0.1: a single machine.</remarks>
    public static IPAddress? TryResolve(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(setting, out var address))
        {
            return address;
        }

        if (string.Equals(setting, Auto, StringComparison.OrdinalIgnoreCase))
        {
            return OwnAddress();
        }

        if (Uri.CheckHostName(setting) != UriHostNameType.Dns)
        {
            return null;
        }

        try
        {
            return Prefer(Dns.GetHostAddresses(setting));
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static IPAddress? OwnAddress() => Prefer(NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus != OperationalStatus.Down && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal));

    /// <summary>IPv4 first (Orleans' own default), then IPv6.</summary>
    private static IPAddress? Prefer(IEnumerable<IPAddress> addresses)
    {
        var all = addresses.ToList();
        return all.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? all.FirstOrDefault();
    }
}
