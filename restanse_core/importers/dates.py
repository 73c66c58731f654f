"""Dates as archives export them: dd.mm.yyyy, dd.mm.yy, ISO (with or without time) and Excel cells."""

from __future__ import annotations

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_FORMATS = (
    (r"^\d{1,2}\.\d{1,2}\.\d{4}(?:\s.*)?$", "%d.%m.%Y"),
    (r"^\d{4}-\d{1,2}-\d{1,2}(?:[T\s].*)?$", "%Y-%m-%d"),
    (r"^\d{1,2}\.\d{1,2}\.\d{2}(?:\s.*)?$", "%d.%m.%y"),
    (r"^\d{1,2}/\d{1,2}/\d{4}(?:\s.*)?$", "%d/%m/%Y"),
)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parsed dates (datetime64, NaT where empty) and a mask of values that are present but not dates."""
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    if values.empty:
        return result, pd.Series(False, index=values.index)
    is_cell_date = (
        values.map(lambda v: isinstance(v, pd.Timestamp | np.datetime64)) if values.dtype == object else None
    )
    if is_cell_date is not None and is_cell_date.any():
        result[is_cell_date] = pd.to_datetime(values[is_cell_date]).dt.normalize().astype("datetime64[s]")
    text = values.where(~is_cell_date, "") if is_cell_date is not None else values
    text = text.astype("str").str.strip()
    text = text.mask(text.isin(["nan", "NaT", "None"]), "")
    todo = text != ""
    if is_cell_date is not None:
        todo &= ~is_cell_date

    def keep(parsed: pd.Series) -> None:
        ok = parsed.notna()
        result[ok[ok].index] = parsed[ok].astype("datetime64[s]")
        todo[ok[ok].index] = False

    for pattern, fmt in _FORMATS:
        if not todo.any():
            break
        # Most cells hold the date alone: parsed in one vectorised call, without matching the pattern.
        keep(pd.to_datetime(text[todo], format=fmt, errors="coerce"))
        pending = text[todo]
        candidates = pending[pending.str.match(pattern)]
        if candidates.empty:
            continue
        # The rest may carry a time of day or other text after the date.
        head = candidates.str.split(n=1).str[0].str.split("T", n=1).str[0]
        keep(pd.to_datetime(head, format=fmt, errors="coerce"))
    if todo.any():  # Excel serial numbers written out as numbers
        numbers = pd.to_numeric(text[todo], errors="coerce")
        serial = numbers[(numbers >= 1) & (numbers < 2958466)]
        if not serial.empty:
            result[serial.index] = (EXCEL_EPOCH + pd.to_timedelta(serial.astype("int64"), unit="D")).astype(
                "datetime64[s]"
            )
            todo[serial.index] = False
    return result, todo


def iso_strings(dates: pd.Series) -> pd.Series:
    """'YYYY-MM-DD' strings, None for missing: what both SQLite and PostgreSQL take in bulk."""
    if dates.isna().all():  # a column the file does not have
        return pd.Series([None] * len(dates), index=dates.index, dtype=object)
    arr = np.datetime_as_string(dates.to_numpy(dtype="datetime64[D]"), unit="D")
    out = pd.Series(arr, index=dates.index, dtype=object)
    return out.where(dates.notna(), None)
