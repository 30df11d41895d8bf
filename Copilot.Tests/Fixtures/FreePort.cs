using System.Net;
using System.Net.Sockets;

namespace Copilot.Tests.Fixtures;

/// <summary>Free TCP ports on 127.0.0.1, so that test silos never collide with each other or a running service.</summary>
public static class FreePort
{
    /// <summary>A port nothing listens on right now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
