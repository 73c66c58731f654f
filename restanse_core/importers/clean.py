"""Control characters out of every text value: NUL (which PostgreSQL refuses), terminal escapes and the rest.

Tab, CR and LF become a space (a title broken over two lines is still one title); the other C0 and C1 control
characters and DEL are removed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_ANY = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"[\t\r\n]")
_REMOVED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(values: pd.Series) -> tuple[pd.Series, int]:
    """The values (strings) without control characters, and how many values had any.

    A column almost never has one, so the whole column is searched once before any value is looked at.
    """
    if values.empty or not _has_control("".join(values.tolist())):
        return values, 0
    dirty = values.str.contains(_ANY)
    cleaned = values.where(
        ~dirty, values[dirty].str.replace(_SPACE, " ", regex=True).str.replace(_REMOVED, "", regex=True)
    )
    return cleaned, int(dirty.sum())


def _has_control(text: str) -> bool:
    """Whether the text holds a control character: a vectorised test on its code points (re would take
    seconds for the titles of a million rows)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return bool(((codes < 0x20) | ((codes >= 0x7F) & (codes < 0xA0))).any())
