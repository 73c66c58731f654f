"""User-facing texts: short phrases from templates/{nb,nn,en}/phrases.toml, messages from Jinja2 templates."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from restanse_core.calendar import long_date, short_date

if TYPE_CHECKING:
    from jinja2 import Environment

# Babel and Jinja2 are imported where they are used: most answers are phrases from the catalogue, and a
# CLI command should not pay for the templates' engine at start-up.

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("nb", "nn", "en")
BABEL_LOCALE = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}
AMOUNTS_KEPT = 20_000  # counts with their nouns remembered («346 dager»): every answer says a dozen
ECHO_LIMIT = 80  # the most of a person's own words the bot repeats back to them


def echo(text: str) -> str:
    """A person's words as the bot repeats them: one line, at most ECHO_LIMIT characters."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= ECHO_LIMIT else one_line[: ECHO_LIMIT - 1].rstrip() + "…"


@lru_cache(maxsize=8)
def _phrases(language: str) -> dict[str, str | tuple[str, ...]]:
    with (TEMPLATES / language / "phrases.toml").open("rb") as handle:
        flat: dict[str, str | tuple[str, ...]] = {}

        def walk(prefix: str, node: dict[str, Any]) -> None:
            for key, value in node.items():
                if isinstance(value, dict):
                    walk(f"{prefix}{key}.", value)
                elif isinstance(value, list):
                    flat[f"{prefix}{key}"] = tuple(str(v) for v in value)
                else:
                    flat[f"{prefix}{key}"] = str(value)

        walk("", tomllib.load(handle))
        return flat


class Texts:
    """Phrases in one language, falling back to Bokmål for a phrase a translation lacks."""

    def __init__(self, language: str = "nb", template_dir: Path | None = None) -> None:
        self.language = language if language in LANGUAGES else "nb"
        self.template_dir = template_dir
        self._amounts: dict[tuple[str, int], str] = {}  # the same counts and ages come up again and again

    def _lookup(self, key: str) -> str | tuple[str, ...]:
        phrase = _phrases(self.language).get(key) or _phrases("nb").get(key)
        if phrase is None:
            raise KeyError(f"missing phrase {key!r}")
        return phrase

    def __call__(self, key: str, **values: Any) -> str:
        phrase = self._lookup(key)
        assert isinstance(phrase, str), key
        return phrase.format(**values) if values else phrase

    def has(self, key: str) -> bool:
        return key in _phrases(self.language) or key in _phrases("nb")

    def words(self, key: str) -> tuple[str, ...]:
        """A list in the catalogue, such as a command's examples."""
        phrase = self._lookup(key)
        return phrase if isinstance(phrase, tuple) else (phrase,)

    def plural(self, key: str, n: int, **values: Any) -> str:
        """The phrase `key.one` or `key.other` (the language's plural rule, from CLDR) with `n` filled in."""
        form = _plural_rule(self.language)(n)
        chosen = f"{key}.{form}" if self.has(f"{key}.{form}") else f"{key}.other"
        return self(chosen, n=n, **values)

    def amount(self, n: int, noun: str) -> str:
        """«1 restanse», «3 restanser»: a count with its noun (from [nouns] in the catalogue) in the right number."""
        said = self._amounts.get((noun, n))
        if said is None:
            if len(self._amounts) > AMOUNTS_KEPT:
                self._amounts.clear()
            said = self._amounts[noun, n] = self.plural(f"nouns.{noun}", n)
        return said

    def age(self, days: int) -> str:
        """How long an entry has been open, the same way everywhere: «1 dag», «346 dager»."""
        return self.amount(days, "dag")

    def number(self, n: int) -> str:
        """«1 232» in Norwegian, «1,232» in English."""
        from babel.numbers import format_decimal

        return format_decimal(n, locale=BABEL_LOCALE[self.language])

    def month(self, day: Any) -> str:
        """«november 2026»."""
        from babel.dates import format_date

        return format_date(day, format="LLLL y", locale=BABEL_LOCALE[self.language])

    @property
    def jinja(self) -> Environment:
        return _environment(self.language, self.template_dir)


def _is_html(name: str | None) -> bool:
    return bool(name) and str(name).endswith(".html.j2")


@lru_cache(maxsize=8)
def _plural_rule(language: str) -> Callable[[int], str]:
    """The language's CLDR plural rule, parsed once (parsing it took most of the time of a «mine restanser»)."""
    from babel import Locale

    rule: Callable[[int], str] = lru_cache(maxsize=4096)(Locale.parse(BABEL_LOCALE[language]).plural_form)
    return rule  # (and each count's form remembered: the same counts and ages come up again and again)


@lru_cache(maxsize=16)
def _environment(language: str, template_dir: Path | None) -> Environment:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

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
    texts = Texts(language, template_dir)
    env.filters["amount"] = texts.amount  # {{ n|amount("restanse") }} → «1 restanse», «3 restanser»
    env.filters["age"] = texts.age
    return env
