"""The reply model in the terminal: rich on a terminal, plain text (never wrapped) when piped. Buttons become the
words to type («Skriv «vis flere»»), see buttons.py."""

from __future__ import annotations

import re

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from bot.plaintext import block_lines
from bot.replies import Actions, Context, Fields, Heading, Image, ItemList, Link, Paragraph, Reply, Table

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _markup(text: str) -> Text:
    return Text.from_markup(_BOLD.sub(r"[bold]\1[/bold]", text.replace("[", r"\[")))


def button_lines(block: Actions, type_word: str) -> list[str]:
    """«Skriv «vis flere» eller «vis veiledningen»» for the buttons that call back, and each link button's URL."""
    words = [f"«{b.label[:1].lower()}{b.label[1:]}»" for b in block.buttons if not b.url]
    lines = [f"{type_word} " + " · ".join(words)] if words else []
    return lines + [f"{b.label}: {b.url}" for b in block.buttons if b.url]


def render(reply: Reply, console: Console, type_word: str = "Skriv") -> None:
    if not console.is_terminal:
        lines: list[str] = []
        for block in reply.blocks:
            lines += (
                [*button_lines(block, type_word), ""] if isinstance(block, Actions) else block_lines(block)
            )
        console.file.write("\n".join(lines).strip().replace("**", "") + "\n")
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
                    if item.age:
                        line.append(f"  ({item.age})", style="dim")
                    if item.title:
                        line.append(f"  {item.title}")
                    if item.link:
                        line.append(f"  {item.link}", style=f"link {item.link}")
                    console.print(line)
                if more:
                    console.print(Text(more_text, style="dim"))
            case Link(text=text, url=url):
                console.print(Text(f"{text}: {url}", style=f"link {url}"))
            case Actions():
                for hint in button_lines(block, type_word):
                    console.print(Text(hint, style="cyan"))
            case Image(alt=alt, url=url):
                console.print(Text(f"[{alt}] {url}", style="dim"))
        console.print()
