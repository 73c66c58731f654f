"""User-facing texts: short phrases from templates/{nb,nn,en}/phrases.toml, messages from Jinja2 templates."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from restanse_core.calendar import long_date, short_date

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("nb", "nn", "en")
BABEL_LOCALE = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}


@lru_cache(maxsize=8)
def _phrases(language: str) -> dict[str, str]:
    with (TEMPLATES / language / "phrases.toml").open("rb") as handle:
        flat: dict[str, str] = {}

        def walk(prefix: str, node: dict[str, Any]) -> None:
            for key, value in node.items():
                if isinstance(value, dict):
                    walk(f"{prefix}{key}.", value)
                else:
                    flat[f"{prefix}{key}"] = str(value)

        walk("", tomllib.load(handle))
        return flat


class Texts:
    """Phrases in one language, falling back to Bokmål for a phrase a translation lacks."""

    def __init__(self, language: str = "nb", template_dir: Path | None = None) -> None:
        self.language = language if language in LANGUAGES else "nb"
        self.template_dir = template_dir

    def __call__(self, key: str, **values: Any) -> str:
        phrase = _phrases(self.language).get(key) or _phrases("nb").get(key)
        if phrase is None:
            raise KeyError(f"missing phrase {key!r}")
        return phrase.format(**values) if values else phrase

    def plural(self, key: str, n: int, **values: Any) -> str:
        return self(f"{key}.{'one' if n == 1 else 'other'}", n=n, **values)

    def month(self, day: Any) -> str:
        """«november 2026»."""
        return format_date(day, format="LLLL y", locale=BABEL_LOCALE[self.language])

    @property
    def jinja(self) -> Environment:
        return _environment(self.language, self.template_dir)


def _is_html(name: str | None) -> bool:
    return bool(name) and str(name).endswith(".html.j2")


@lru_cache(maxsize=16)
def _environment(language: str, template_dir: Path | None) -> Environment:
    loaders = []
    if template_dir is not None:  # the archive's own templates win
        loaders += [FileSystemLoader(str(template_dir / language)), FileSystemLoader(str(template_dir))]
    loaders += [FileSystemLoader(str(TEMPLATES / language)), FileSystemLoader(str(TEMPLATES / "nb"))]
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=_is_html,  # the e-mails' HTML parts; chat texts are plain
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["ddmmyy"] = short_date
    env.filters["ddmmyyyy"] = long_date
    return env
