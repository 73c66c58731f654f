"""The month-over-month chart of restanser per unit (PNG), with the largest changes marked."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen: render to files only
import matplotlib.pyplot as plt

from restanse_core.reports import UnitTable

MAX_UNITS = 20
MARKED_CHANGES = 3


def chart_png(table: UnitTable, title: str = "Restanser per enhet") -> bytes:
    """Horizontal bars: this list and the one before, the units with most restanser, biggest changes marked."""
    period = table.period
    lines = [u for u in table.lines if u.count or u.previous]
    lines = sorted(lines, key=lambda u: max(u.count, u.previous or 0), reverse=True)[:MAX_UNITS]
    lines.reverse()  # largest at the top
    changes = sorted(
        (u for u in lines if u.previous is not None and u.count != u.previous),
        key=lambda u: abs(u.count - (u.previous or 0)),
        reverse=True,
    )[:MARKED_CHANGES]
    height = max(3.0, 0.38 * len(lines) + 1.4)
    figure, axes = plt.subplots(figsize=(8.5, height), dpi=110)
    positions = list(range(len(lines)))
    labels = [u.code for u in lines]
    if period.previous is not None:
        axes.barh(
            [p + 0.2 for p in positions],
            [u.previous or 0 for u in lines],
            height=0.4,
            color="#b8c4d6",
            label=f"{period.previous.as_of:%d.%m.%Y}",
        )
        axes.barh(
            [p - 0.2 for p in positions],
            [u.count for u in lines],
            height=0.4,
            color="#1f4e8c",
            label=f"{period.current.as_of:%d.%m.%Y}",
        )
    else:
        axes.barh(
            positions,
            [u.count for u in lines],
            height=0.6,
            color="#1f4e8c",
            label=f"{period.current.as_of:%d.%m.%Y}",
        )
    for u in changes:
        delta = u.count - (u.previous or 0)
        position = lines.index(u)
        axes.annotate(
            f"{'▲' if delta > 0 else '▼'} {delta:+d}".replace("-", "−"),
            xy=(max(u.count, u.previous or 0), position),
            xytext=(6, -4),
            textcoords="offset points",
            color="#b3261e" if delta > 0 else "#1b7f3b",
            fontweight="bold",
        )
    axes.set_yticks(positions, labels)
    axes.set_xlabel("Restanser")
    axes.set_title(title)
    axes.legend(loc="lower right")
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.15)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def write_chart(table: UnitTable, path: Path) -> None:
    path.write_bytes(chart_png(table))
