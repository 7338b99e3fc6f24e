//! Which addresses an outbound request from an untrusted URL may reach: public unicast only.
//! Refused: unspecified, loopback, private (RFC 1918), shared/CGNAT (RFC 6598), link-local
//! (which holds the cloud metadata service at 169.254.169.254), IETF protocol assignments,
//! documentation and benchmarking ranges, multicast, reserved, and in IPv6 unique-local,
//! link- and site-local, discard-only, and every IPv6 form that wraps an IPv4 address
//! (mapped, compatible, NAT64, 6to4), judged by the address it wraps.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address may not be reached, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Unspecified,
    Loopback,
    Private,
    SharedCgnat,
    LinkLocal,
    Documentation,
    Multicast,
    /// Reserved, benchmarking, protocol assignments, deprecated or not global unicast.
    Reserved,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::SharedCgnat => "shared (CGNAT)",
            Self::LinkLocal => "link-local",
            Self::Documentation => "documentation",
            Self::Multicast => "multicast",
            Self::Reserved => "reserved",
        }
    }
}

/// `Ok` for an address an untrusted URL may reach, else which kind it is.
pub fn classify(ip: IpAddr) -> Result<(), Refused> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// Whether `ip` is in `net/len` (len 1..=32).
fn in_v4(ip: u32, net: [u8; 4], len: u32) -> bool {
    let shift = 32 - len;
    ip >> shift == u32::from_be_bytes(net) >> shift
}

/// Whether `ip` is in `net/len` (len 1..=128).
fn in_v6(ip: u128, net: [u16; 8], len: u32) -> bool {
    let shift = 128 - len;
    ip >> shift == u128::from(Ipv6Addr::from(net)) >> shift
}

fn classify_v4(ip: Ipv4Addr) -> Result<(), Refused> {
    let n = u32::from(ip);
    let refused = [
        ([0, 0, 0, 0], 8, Refused::Unspecified),
        ([127, 0, 0, 0], 8, Refused::Loopback),
        ([10, 0, 0, 0], 8, Refused::Private),
        ([172, 16, 0, 0], 12, Refused::Private),
        ([192, 168, 0, 0], 16, Refused::Private),
        ([100, 64, 0, 0], 10, Refused::SharedCgnat),
        ([169, 254, 0, 0], 16, Refused::LinkLocal),
        ([192, 0, 0, 0], 24, Refused::Reserved),
        ([192, 0, 2, 0], 24, Refused::Documentation),
        ([198, 51, 100, 0], 24, Refused::Documentation),
        ([203, 0, 113, 0], 24, Refused::Documentation),
        ([192, 88, 99, 0], 24, Refused::Reserved),
        ([198, 18, 0, 0], 15, Refused::Reserved),
        ([224, 0, 0, 0], 4, Refused::Multicast),
        ([240, 0, 0, 0], 4, Refused::Reserved),
    ];
    match refused.iter().find(|(net, len, _)| in_v4(n, *net, *len)) {
        Some((_, _, why)) => Err(*why),
        None => Ok(()),
    }
}

fn classify_v6(ip: Ipv6Addr) -> Result<(), Refused> {
    if ip.is_unspecified() {
        return Err(Refused::Unspecified);
    }
    if ip.is_loopback() {
        return Err(Refused::Loopback);
    }
    // An IPv4 address in IPv6 clothing reaches (or is translated to) that IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let n = u128::from(ip);
    let low32 = Ipv4Addr::from((n & 0xffff_ffff) as u32);
    if in_v6(n, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        return classify_v4(low32);
    }
    if in_v6(n, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        let wrapped = Ipv4Addr::from(((n >> 80) & 0xffff_ffff) as u32);
        return classify_v4(wrapped);
    }
    let refused = [
        // IPv4-compatible (deprecated; ::/96 beyond :: and ::1).
        ([0, 0, 0, 0, 0, 0, 0, 0], 96, Refused::Reserved),
        ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, Refused::Private),
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, Refused::Reserved),
        (
            [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0],
            32,
            Refused::Documentation,
        ),
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, Refused::Documentation),
        // IETF protocol assignments: Teredo, benchmarking, ORCHID and the rest.
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, Refused::Reserved),
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, Refused::Private),
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, Refused::LinkLocal),
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, Refused::Private),
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, Refused::Multicast),
    ];
    if let Some((_, _, why)) = refused.iter().find(|(net, len, _)| in_v6(n, *net, *len)) {
        return Err(*why);
    }
    // Global unicast is 2000::/3; everything outside it is unassigned or special.
    if in_v6(n, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3) {
        Ok(())
    } else {
        Err(Refused::Reserved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(text: &str) -> Result<(), Refused> {
        classify(text.parse().unwrap())
    }

    #[test]
    fn public_addresses_pass() {
        for ok in [
            "93.184.216.34",
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert_eq!(verdict(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn loopback_private_link_local_and_metadata_addresses_are_refused() {
        for (address, why) in [
            ("127.0.0.1", Refused::Loopback),
            ("127.255.255.254", Refused::Loopback),
            ("10.0.0.1", Refused::Private),
            ("172.16.0.1", Refused::Private),
            ("172.31.255.255", Refused::Private),
            ("192.168.1.1", Refused::Private),
            ("169.254.169.254", Refused::LinkLocal),
            ("100.64.0.1", Refused::SharedCgnat),
            ("100.127.255.255", Refused::SharedCgnat),
            ("0.0.0.0", Refused::Unspecified),
            ("0.1.2.3", Refused::Unspecified),
            ("192.0.2.10", Refused::Documentation),
            ("198.51.100.1", Refused::Documentation),
            ("203.0.113.7", Refused::Documentation),
            ("198.18.0.1", Refused::Reserved),
            ("192.0.0.170", Refused::Reserved),
            ("224.0.0.1", Refused::Multicast),
            ("239.255.255.250", Refused::Multicast),
            ("240.0.0.1", Refused::Reserved),
            ("255.255.255.255", Refused::Reserved),
        ] {
            assert_eq!(verdict(address), Err(why), "{address}");
        }
    }

    #[test]
    fn ipv6_special_ranges_are_refused() {
        for (address, why) in [
            ("::", Refused::Unspecified),
            ("::1", Refused::Loopback),
            ("fe80::1", Refused::LinkLocal),
            ("fc00::1", Refused::Private),
            ("fd12:3456:789a::1", Refused::Private),
            ("fec0::1", Refused::Private),
            ("ff02::1", Refused::Multicast),
            ("2001:db8::1", Refused::Documentation),
            ("3fff::1", Refused::Documentation),
            ("2001::1", Refused::Reserved),
            ("100::1", Refused::Reserved),
            ("64:ff9b:1::1", Refused::Private),
            ("4000::1", Refused::Reserved),
        ] {
            assert_eq!(verdict(address), Err(why), "{address}");
        }
    }

    #[test]
    fn ipv4_wrapped_in_ipv6_is_judged_by_the_ipv4_address() {
        for (address, why) in [
            ("::ffff:127.0.0.1", Refused::Loopback),
            ("::ffff:10.0.0.1", Refused::Private),
            ("::ffff:169.254.169.254", Refused::LinkLocal),
            ("::127.0.0.1", Refused::Reserved),
            ("64:ff9b::a9fe:a9fe", Refused::LinkLocal),
            ("64:ff9b::7f00:1", Refused::Loopback),
            ("2002:7f00:0001::1", Refused::Loopback),
            ("2002:c0a8:0101::1", Refused::Private),
        ] {
            assert_eq!(verdict(address), Err(why), "{address}");
        }
    }
}
