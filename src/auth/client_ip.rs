//! The client's IP address for throttling. The socket peer is the client unless it is one of
//! the configured trusted proxies; then `X-Forwarded-For` is read from the right, skipping
//! trusted hops, and the first untrusted address is the client (anything left of it could
//! have been written by the client itself). Every line of the header counts: RFC 9110 §5.3
//! makes repeated field lines one list, in order, and a proxy that appends a line of its own
//! (HAProxy's `option forwardfor`, several CDNs) leaves the client's forged line first.
//!
//! RFC 7239 `Forwarded` is not read: a proxy writes one of the two headers, and reading the
//! other as well would let a client forge exactly the one its proxy passes through unread.
//!
//! For limits, one client is an IPv4 address or an IPv6 /64 (`AddressBlock`).
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use ipnet::IpNet;

/// The client address, given the socket `peer` and every `X-Forwarded-For` line in the order
/// received (`None` for a line that is not text: it cannot name an address).
pub fn client_ip(peer: IpAddr, forwarded_for: &[Option<&str>], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut nearest = peer;
    for line in forwarded_for.iter().rev() {
        let Some(line) = line else {
            return nearest;
        };
        for entry in line.rsplit(',').map(str::trim) {
            // RFC 9110 §5.6.1: empty list elements are ignored.
            if entry.is_empty() {
                continue;
            }
            match entry.parse::<IpAddr>() {
                Ok(ip) if is_trusted(&ip) => nearest = ip,
                Ok(ip) => return ip,
                // Garbage cannot be an address; the hop that passed it on is as far as we can
                // see.
                Err(_) => return nearest,
            }
        }
    }
    nearest
}

/// The addresses one client is taken to hold, for per-address limits: its IPv4 address, or
/// the /64 its IPv6 address is in. A /64 is one network (RFC 4291 §2.5.4), and providers give
/// each customer at least one (RFC 6177), so keyed on the full address a client could rotate
/// through 2^64 addresses of its own and never meet a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressBlock(IpAddr);

impl AddressBlock {
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(_) => Self(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                // An IPv4 client seen through a dual-stack socket is that IPv4 client.
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & !(u128::MAX >> 64);
                    Self(IpAddr::V6(Ipv6Addr::from(network)))
                }
            },
        }
    }
}

/// `203.0.113.9` or `2001:db8:1:2::/64`: IPv4 keys look as they did before IPv6 was grouped.
impl fmt::Display for AddressBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn forwarded_headers_are_ignored_by_default() {
        assert_eq!(
            client_ip(ip("203.0.113.9"), &[Some("1.2.3.4")], &[]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn headers_from_untrusted_peers_are_ignored() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), &[Some("1.2.3.4")], &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn rightmost_untrusted_entry_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        let one = |line| client_ip(ip("10.0.0.2"), &[Some(line)], &trusted);
        // The client forged "6.6.6.6"; the proxy appended the real address.
        assert_eq!(one("6.6.6.6, 198.51.100.7"), ip("198.51.100.7"));
        assert_eq!(one("198.51.100.7, 10.0.0.5"), ip("198.51.100.7"));
        assert_eq!(one("10.0.0.9"), ip("10.0.0.9"));
        assert_eq!(one("6.6.6.6, , 198.51.100.7,"), ip("198.51.100.7"));
        assert_eq!(client_ip(ip("10.0.0.2"), &[], &trusted), ip("10.0.0.2"));
        assert_eq!(one("not-an-ip"), ip("10.0.0.2"));
        assert_eq!(
            client_ip(ip("::1"), &[Some("2001:db8::1")], &nets(&["::1/128"])),
            ip("2001:db8::1")
        );
    }

    /// HAProxy's `option forwardfor` adds a line of its own instead of extending the client's.
    #[test]
    fn a_forged_first_line_does_not_hide_the_line_the_proxy_appended() {
        let trusted = nets(&["10.0.0.0/8"]);
        let lines = [Some("127.0.0.1"), Some("198.51.100.7")];
        assert_eq!(
            client_ip(ip("10.0.0.2"), &lines, &trusted),
            ip("198.51.100.7")
        );
        let through_two_proxies = [Some("6.6.6.6, 198.51.100.7"), Some("10.0.0.5")];
        assert_eq!(
            client_ip(ip("10.0.0.2"), &through_two_proxies, &trusted),
            ip("198.51.100.7")
        );
        // A line that is not text stops the walk like any other garbage.
        let unreadable = [Some("6.6.6.6"), None, Some("10.0.0.5")];
        assert_eq!(
            client_ip(ip("10.0.0.2"), &unreadable, &trusted),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn an_ipv6_client_is_its_64_and_an_ipv4_client_its_address() {
        let block = |s| AddressBlock::of(ip(s));
        assert_eq!(block("2001:db8:1:2::1"), block("2001:db8:1:2:ffff:1:2:3"));
        assert_ne!(block("2001:db8:1:2::1"), block("2001:db8:1:3::1"));
        assert_eq!(block("2001:db8:1:2::1").to_string(), "2001:db8:1:2::/64");
        assert_eq!(block("203.0.113.9").to_string(), "203.0.113.9");
        assert_ne!(block("203.0.113.9"), block("203.0.113.10"));
        assert_eq!(block("::ffff:203.0.113.9"), block("203.0.113.9"));
    }
}
