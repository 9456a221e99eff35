"""This machine's names and network addresses: what students type to reach a laptop serving the hall.

Only the standard library: no interface-listing package is needed for the two questions asked here,
"which names is this machine known by" (the Host check) and "which address would a neighbour use"
(the start-up banner).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from functools import lru_cache

# Connecting a UDP socket sends nothing; it only asks the kernel which local address would carry
# traffic to that network. One target per private range finds the hall's Wi-Fi even with no internet.
PROBES = ("10.255.255.255", "172.31.255.255", "192.168.255.255", "8.8.8.8")
WILDCARDS = ("0.0.0.0", "::", "")


@lru_cache
def machine_names() -> frozenset[str]:
    """The hostname and its mDNS name (``<hostname>.local``), lower case: a system call, no lookup."""
    hostname = socket.gethostname().lower().rstrip(".")
    short = hostname.split(".")[0]
    names = {hostname, short, f"{short}.local"} if short else {hostname}
    return frozenset(name for name in names if name)


@lru_cache
def fully_qualified_name() -> str:
    """This machine's fully qualified name. It asks the resolver, which on a laptop with no network can take
    seconds, so it is asked only when a Host matches nothing else, off the event loop, and once."""
    return socket.getfqdn().lower().rstrip(".")


def lan_addresses() -> list[str]:
    """IPv4 addresses of this machine that another machine on the network could reach, best guess first.

    Only routing questions, no name lookups: the start-up banner must not wait for a resolver.
    """
    found: list[str] = []
    for target in PROBES:
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((target, 9))
            found.append(probe.getsockname()[0])
    usable = []
    for address in dict.fromkeys(found):
        ip = ipaddress.ip_address(address)
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified):
            usable.append(address)
    return usable


def reachable_urls(host: str, port: int) -> list[str]:
    """The URLs to give students for a server listening on ``host``; a wildcard means every address and name."""
    if host not in WILDCARDS:
        shown = f"[{host}]" if ":" in host else host
        return [f"http://{shown}:{port}/"]
    hosts = [*lan_addresses(), *sorted(name for name in machine_names() if "." in name and name != "localhost")]
    return [f"http://{name}:{port}/" for name in hosts]
