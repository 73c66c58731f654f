"""The reply model as plain text: fallback text for every platform, and the terminal when piped."""

from __future__ import annotations

from bot.replies import (
    Actions,
    Block,
    Context,
    Fields,
    Heading,
    Image,
    ItemList,
    Link,
    Paragraph,
    Reply,
    Table,
)


def table_lines(table: Table) -> list[str]:
    """A table with aligned columns, plain digits, the sum row last — like the table in the procedure."""
    rows = [table.columns, *table.rows, *([table.footer] if table.footer else [])]
    widths = [max(len(str(r[i])) for r in rows if i < len(r)) for i in range(len(table.columns))]

    def fmt(row: tuple[str, ...], mark: str = "  ") -> str:
        cells = [
            str(c).rjust(widths[i]) if i in table.numeric else str(c).ljust(widths[i])
            for i, c in enumerate(row)
        ]
        return (mark + "  ".join(cells)).rstrip()

    out = [table.title] if table.title else []
    out.append(fmt(table.columns))
    out.append("  " + "  ".join("-" * w for w in widths))
    out += [fmt(r, "▸ " if i in table.marked else "  ") for i, r in enumerate(table.rows)]
    if table.footer:
        out.append("  " + "  ".join("-" * w for w in widths))
        out.append(fmt(table.footer))
    return out


def block_lines(block: Block) -> list[str]:
    match block:
        case Heading(text=text):
            return [text, ""]
        case Paragraph(text=text) | Context(text=text):
            return [text.replace("**", ""), ""]
        case Fields(pairs=pairs):
            return [f"{label}: {value}" for label, value in pairs] + [""]
        case Table():
            return [*table_lines(block), ""]
        case ItemList(items=items, more=more, more_text=more_text):
            lines = [
                f"• {i.jp_id}  {i.date}"
                + (f"  ({i.age})" if i.age else "")
                + (f"  {i.title}" if i.title else "")
                + (f"  {i.link}" if i.link else "")
                for i in items
            ]
            if more:
                lines.append(more_text or f"… og {more} til")
            return [*lines, ""]
        case Link(text=text, url=url):
            return [f"{text}: {url}", ""]
        case Actions(buttons=buttons):
            links = [f"{b.label}: {b.url}" for b in buttons if b.url]
            return [*links, ""] if links else []
        case Image(alt=alt, url=url):
            return [f"[{alt}] {url}", ""]
    return []


def render_plain(reply: Reply) -> str:
    lines: list[str] = []
    for block in reply.blocks:
        lines += block_lines(block)
    return "\n".join(lines).strip() + "\n"
