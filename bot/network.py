"""Small facts about addresses that more than one channel needs."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or the name localhost."""
    if not host:
        return False
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
