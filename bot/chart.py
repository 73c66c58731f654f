"""The month-over-month chart of restanser per unit (PNG): the totals and both dates in the title, the largest units
by name, the rest summed up in one bar, and the largest changes marked in numbers and per cent."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen: render to files only
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from bot.texts import Texts
from restanse_core.calendar import long_date
from restanse_core.reports import UnitLine, UnitTable

MAX_BARS = 20  # more units than this: the largest 19 and one bar «og 18 andre enheter»
MARKED = 3  # the largest changes marked, counted and relative each
RELATIVE_FROM = 10  # a change in per cent counts only from this many restanser (2 → 5 is not news)
LABEL_WIDTH = 38  # characters of «code – name» on the axis; longer names are shortened
NOW, BEFORE, OTHERS = "#1f4e8c", "#b8c4d6", "#8a8f98"
UP, DOWN = "#b3261e", "#1b7f3b"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    previous: int | None
    others: bool = False


def _label(line: UnitLine) -> str:
    if not line.name:
        return line.code
    label = f"{line.code} – {line.name}"
    return label if len(label) <= LABEL_WIDTH else label[: LABEL_WIDTH - 1].rstrip(" ,–-") + "…"


def bars(table: UnitTable, texts: Texts) -> list[Bar]:
    """Every unit, largest first; past MAX_BARS units the largest and one bar with the sum of the others."""
    lines = sorted(table.lines, key=lambda u: (-max(u.count, u.previous or 0), u.code))
    tail: list[UnitLine] = []
    if len(lines) > MAX_BARS:
        lines, tail = lines[: MAX_BARS - 1], lines[MAX_BARS - 1 :]
    out = [Bar(_label(u), u.count, u.previous) for u in lines]
    if tail:
        previous = None if table.previous is None else sum(u.previous or 0 for u in tail)
        label = texts.plural("chart.others", len(tail))
        out.append(Bar(label, sum(u.count for u in tail), previous, others=True))
    return out


def marked(shown: list[Bar]) -> set[str]:
    """The units with the largest changes: the MARKED largest in numbers and the MARKED largest in per cent."""
    changed = [b for b in shown if not b.others and b.previous is not None and b.count != b.previous]
    by_count = sorted(changed, key=lambda b: -abs(b.count - (b.previous or 0)))[:MARKED]
    relative = [b for b in changed if (b.previous or 0) >= RELATIVE_FROM]
    by_share = sorted(relative, key=lambda b: -abs(b.count - (b.previous or 0)) / (b.previous or 1))[:MARKED]
    return {b.label for b in (*by_count, *by_share)}


def _signed(n: float) -> str:
    return f"{n:+.0f}".replace("-", "−")


def change_text(bar: Bar, texts: Texts) -> str:
    """«▲ +132 (+29 %)»; the per cent only from RELATIVE_FROM restanser (1 → 0 is not «−100 %» news)."""
    assert bar.previous is not None
    delta = bar.count - bar.previous
    arrow = "▲" if delta > 0 else "▼"
    if bar.previous < RELATIVE_FROM:
        return f"{arrow} {_signed(delta)}"
    return f"{arrow} {_signed(delta)} ({texts('chart.percent', n=_signed(100 * delta / bar.previous))})"


def draw(table: UnitTable, texts: Texts) -> Figure:
    """Horizontal bars, the list before (light) over the list now (dark), largest at the top."""
    period = table.period
    shown = bars(table, texts)
    marks = marked(shown)
    compare = period.previous is not None
    height = max(3.5, 0.42 * len(shown) + 2.2)
    figure, axes = plt.subplots(figsize=(10.5, height), dpi=110)
    positions = list(range(len(shown)))[::-1]  # the first bar at the top
    now_colours = [OTHERS if b.others else NOW for b in shown]
    if compare:
        assert period.previous is not None
        axes.barh(
            [p + 0.2 for p in positions],
            [b.previous or 0 for b in shown],
            height=0.4,
            color=BEFORE,
            label=long_date(period.previous.as_of),
        )
        axes.barh([p - 0.2 for p in positions], [b.count for b in shown], height=0.4, color=now_colours)
        # The legend's dark square: one bar drawn with the label, behind the rest.
        axes.barh([positions[0] - 0.2], [0], height=0.4, color=NOW, label=long_date(period.current.as_of))
    else:
        axes.barh(positions, [b.count for b in shown], height=0.6, color=now_colours)
    top = max((max(b.count, b.previous or 0) for b in shown), default=1) or 1
    for bar, position in zip(shown, positions, strict=True):
        end = max(bar.count, bar.previous or 0)
        figures = f"{bar.previous} → {bar.count}" if compare else f"{bar.count}"
        is_marked = bar.label in marks
        text = f"{figures}   {change_text(bar, texts)}" if is_marked else figures
        axes.annotate(
            text,
            xy=(end, position),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=(UP if bar.count > (bar.previous or 0) else DOWN) if is_marked else "#444444",
            fontweight="bold" if is_marked else "normal",
        )
    axes.set_yticks(positions, [b.label for b in shown])
    for tick, bar in zip(axes.get_yticklabels(), shown, strict=True):
        if bar.label in marks:
            tick.set_fontweight("bold")
        if bar.others:
            tick.set_fontstyle("italic")
    axes.set_xlim(0, top * (1.55 if marks else 1.3 if compare else 1.12))
    axes.set_ylim(-0.7, len(shown) - 0.3)
    # Every bar carries its figures: no x axis to read them off.
    axes.set_xticks([])
    axes.spines[["top", "right", "bottom"]].set_visible(False)
    if compare:
        assert period.previous is not None and table.previous is not None
        totals = texts(
            "chart.totals",
            before=table.previous,
            before_date=long_date(period.previous.as_of),
            now=table.count,
            now_date=long_date(period.current.as_of),
            change=_signed(table.count - table.previous),
        )
        axes.legend(loc="lower right", frameon=False)
    else:
        totals = texts("chart.totals_single", now=table.count, now_date=long_date(period.current.as_of))
    # Title and totals at the left edge, over the unit names; the note on the marks at the bottom.
    inch = 1 / height
    figure.text(0.012, 1 - 0.22 * inch, texts("chart.title"), fontsize=14, fontweight="bold", va="top")
    figure.text(0.012, 1 - 0.52 * inch, totals, fontsize=11, va="top")
    bottom = 0.0
    if compare and marks:
        figure.text(0.012, 0.1 * inch, texts("chart.marked", n=RELATIVE_FROM), fontsize=8, color="#555555")
        bottom = 0.3 * inch
    figure.tight_layout(rect=(0, bottom, 1, 1 - 0.8 * inch))
    return figure


def chart_png(table: UnitTable, texts: Texts) -> bytes:
    figure = draw(table, texts)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def write_chart(table: UnitTable, path: Path, texts: Texts) -> None:
    path.write_bytes(chart_png(table, texts))
