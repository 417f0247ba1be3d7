// The address ranges a webhook may not reach: everything that is not a globally routed unicast
// address. IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64) are judged by it.
using System.Net;
using System.Net.Sockets;

namespace Ursula.Server.Replication.Subscriptions;

public sealed partial class WebhookAddressPolicy
{
    private static readonly (uint Network, int Bits)[] BlockedV4 =
    [
        (0x00000000, 8),   // 0.0.0.0/8 "this network"
        (0x0A000000, 8),   // 10/8 private
        (0x64400000, 10),  // 100.64/10 carrier-grade NAT (100.100.100.200 is a metadata address)
        (0x7F000000, 8),   // 127/8 loopback
        (0xA9FE0000, 16),  // 169.254/16 link-local, cloud metadata
        (0xAC100000, 12),  // 172.16/12 private
        (0xC0000000, 24),  // 192.0.0/24 protocol assignments
        (0xC0000200, 24),  // 192.0.2/24 documentation
        (0xC0586300, 24),  // 192.88.99/24 6to4 relay
        (0xC0A80000, 16),  // 192.168/16 private
        (0xC6120000, 15),  // 198.18/15 benchmarking
        (0xC6336400, 24),  // 198.51.100/24 documentation
        (0xCB007100, 24),  // 203.0.113/24 documentation
        (0xE0000000, 4),   // 224/4 multicast
        (0xF0000000, 4),   // 240/4 reserved, broadcast
    ];

    /// <summary>True for a globally routed unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            if (address.IsIPv4MappedToIPv6)
            {
                return IsPublic(address.MapToIPv4());
            }

            // ::, ::1 and ::a.b.c.d (IPv4-compatible, deprecated): never a webhook target.
            if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            {
                return false;
            }

            // 64:ff9b::a.b.c.d (NAT64) reaches the IPv4 address it embeds.
            if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            {
                return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
            }

            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
                || (bytes[0] == 0x20 && bytes[1] == 0x02)                                  // 2002::/16 6to4
                || (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x00 && bytes[3] == 0x00) // 2001::/32 Teredo
                || (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8) // 2001:db8::/32 documentation
                || (bytes[0] == 0x01 && bytes[1] == 0x00 && bytes.AsSpan(2, 6).IndexOfAnyExcept((byte)0) < 0) // 100::/64 discard
                || (bytes[0] & 0xe0) != 0x20);                                               // outside 2000::/3 global unicast
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var v4 = address.GetAddressBytes();
        var value = ((uint)v4[0] << 24) | ((uint)v4[1] << 16) | ((uint)v4[2] << 8) | v4[3];
        foreach (var (network, bits) in BlockedV4)
        {
            var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
            if ((value & mask) == network)
            {
                return false;
            }
        }

        return true;
    }
}
