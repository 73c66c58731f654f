"""The avskriving guide: ePhorte's from the procedure by default (in Bokmål, Nynorsk or English), or the archive's
own Markdown file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
DEFAULT_GUIDES = {
    "nb": HERE / "avskriving-ephorte.md",
    "nn": HERE / "avskriving-ephorte.nn.md",
    "en": HERE / "avskriving-ephorte.en.md",
}
_STEP = re.compile(r"^\s*\d+[.)]\s+(.*)$")


@dataclass(frozen=True)
class Guide:
    title: str
    markdown: str
    intro: list[str]
    steps: list[str]
    outro: list[str]


def parse_guide(markdown: str) -> Guide:
    """Title (first '# ' line), the paragraphs before the numbered steps, the steps, and what follows."""
    title = ""
    intro: list[str] = []
    steps: list[str] = []
    outro: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            (outro if steps else intro).append(" ".join(paragraph))
            paragraph.clear()

    for line in markdown.splitlines():
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif match := _STEP.match(line):
            flush()
            steps.append(match.group(1).strip())
        elif not line.strip():
            flush()
        elif steps and line.startswith((" ", "\t")) and not paragraph:
            steps[-1] += " " + line.strip()
        else:
            paragraph.append(line.strip())
    flush()
    return Guide(title or "Avskriving av restanser", markdown, intro, steps, outro)


def load_guide(path: Path | None = None, language: str = "nb") -> Guide:
    """The archive's own guide if it has one (in whatever language it is written), else ePhorte's in `language`."""
    default = DEFAULT_GUIDES.get(language, DEFAULT_GUIDES["nb"])
    return parse_guide((path or default).read_text(encoding="utf-8"))
