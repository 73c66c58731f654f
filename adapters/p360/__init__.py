"""Public 360 (Tieto/Sikri's SIF RPC/JSON service) as a live source of restanser: read the open I and N
documents on a schedule, and write one off on a person's behalf.

Not a chat platform: it is found through the `restansebot.sources` entry point (`source = "p360"` in the
settings), and defines none of a chat adapter's hooks. See docs/P360.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.p360.port import P360Source
    from bot.doctor import Finding
    from bot.platform import Runtime
    from restanse_core.settings import Settings

NAME = "p360"


def source(settings: Settings, env: Mapping[str, str]) -> P360Source:
    """The source port, from the `p360_*` settings and the key in the environment (UserError if wrong).

    (Its implementation lives in `port.py`: a submodule named `source` would replace this function.)"""
    from adapters.p360.config import load_config
    from adapters.p360.port import P360Source

    return P360Source(load_config(settings.source_options.get(NAME, {}), env), settings)


async def doctor(runtime: Runtime) -> list[Finding]:
    """What `restansebot doctor` checks for 360: the key, that 360 answers, a small read as a real person."""
    from adapters.p360.doctor import checks

    return await checks(runtime)
