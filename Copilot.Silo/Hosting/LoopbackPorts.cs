using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Copilot.Silo.Hosting;

/// <summary>Free TCP ports on 127.0.0.1 for servers started on this machine: the embedded PostgreSQL, local silos, the
/// test and chaos clusters.</summary>
/// <remarks>
/// A port is picked below the kernel's ephemeral range (<c>ip_local_port_range</c>), not by binding port 0: a port
/// from that range is free only until the next outgoing connection takes it as its source port, and these servers are
/// restarted on the same port (a silo after a crash, PostgreSQL after an outage) while connections come and go.
/// A port is handed out once per process: servers started side by side (test fixtures run in parallel) probe before
/// any of them binds, and would otherwise be given the same port.
/// </remarks>
public static class LoopbackPorts
{
    private const int Lowest = 10_000;
    private const string EphemeralRange = "/proc/sys/net/ipv4/ip_local_port_range";
    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>A port nothing listens on right now, outside the ephemeral range when that range leaves room.</summary>
    public static int FindFree()
    {
        var below = EphemeralStart();
        if (below - Lowest >= 1_000)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var port = Random.Shared.Next(Lowest, below);
                if (IsFree(port) && HandedOut.TryAdd(port, 0))
                {
                    return port;
                }
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first ephemeral port (Linux), or the IANA range's 49152 elsewhere.</summary>
    private static int EphemeralStart()
    {
        try
        {
            var first = File.ReadAllText(EphemeralRange).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49_152;
        }
    }
}
