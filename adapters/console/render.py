"""The reply model in the terminal: rich on a terminal, plain text (never wrapped) when piped."""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from bot.plaintext import render_plain
from bot.replies import Actions, Context, Fields, Heading, Image, ItemList, Link, Paragraph, Reply, Table

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _markup(text: str) -> Text:
    return Text.from_markup(_BOLD.sub(r"[bold]\1[/bold]", text.replace("[", r"\[")))


def render(reply: Reply, console: Console) -> None:
    if not console.is_terminal:
        console.file.write(render_plain(reply).replace("**", ""))
        return
    for block in reply.blocks:
        match block:
            case Heading(text=text):
                console.print(Text(text, style="bold underline"))
            case Paragraph(text=text):
                console.print(_markup(text))
            case Context(text=text):
                console.print(Text(text, style="dim"))
            case Fields(pairs=pairs):
                grid = RichTable.grid(padding=(0, 2))
                grid.add_column(style="bold")
                grid.add_column()
                for label, value in pairs:
                    grid.add_row(label, value)
                console.print(grid)
            case Table():
                table = RichTable(
                    title=block.title, title_justify="left", show_footer=block.footer is not None
                )
                for i, column in enumerate(block.columns):
                    footer = block.footer[i] if block.footer else ""
                    table.add_column(column, justify="right" if i in block.numeric else "left", footer=footer)
                for i, row in enumerate(block.rows):
                    table.add_row(*row, style="bold yellow" if i in block.marked else None)
                console.print(table)
            case ItemList(items=items, more=more, more_text=more_text):
                for item in items:
                    line = Text("• ")
                    line.append(item.jp_id, style="bold")
                    line.append(f"  {item.date}")
                    if item.days is not None:
                        line.append(f"  ({item.days} d)", style="dim")
                    if item.title:
                        line.append(f"  {item.title}")
                    if item.link:
                        line.append(f"  {item.link}", style=f"link {item.link}")
                    console.print(line)
                if more:
                    console.print(Text(more_text, style="dim"))
            case Link(text=text, url=url):
                console.print(Text(f"{text}: {url}", style=f"link {url}"))
            case Actions(buttons=buttons):
                hints = [f"{b.label}: {b.url}" if b.url else f"[{b.label}]" for b in buttons]
                console.print(Text("  ".join(hints), style="cyan"))
            case Image(alt=alt, url=url):
                console.print(Text(f"[{alt}] {url}", style="dim"))
        console.print()
