"""Plug-ins found through entry points (`restansebot.adapters`, `restansebot.sources`).

Reading entry points scans every installed package's metadata (about 10 ms); the settings, the platforms and
the sources each ask, so the scan is done once per process.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, EntryPoints, entry_points


@cache
def _installed() -> EntryPoints:
    # Python 3.11 returns SelectableGroups (EntryPoints from 3.12 on): both select by group the same way.
    return entry_points()  # type: ignore[return-value]


def plugins(group: str) -> tuple[EntryPoint, ...]:
    """The installed entry points of one group, in the order the packages list them."""
    return tuple(_installed().select(group=group))
