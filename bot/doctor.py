"""`restansebot doctor`: what an IT administrator must get right before the first month.

Each check returns findings; a *blocking* finding means the month cannot be sent, a *warning* is worth
fixing, *ok* says what was checked. Adapters add their own checks (credentials the platform accepts, an
e-mail transport that answers) through a module-level `async def doctor(runtime) -> list[Finding]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"
    OK = "ok"


@dataclass(frozen=True)
class Finding:
    """One thing doctor found: what is wrong (or right), and how to fix it."""

    severity: Severity
    message: str
    fix: str = ""
