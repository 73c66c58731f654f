"""argparse in Norwegian: its own words («usage:», «options», «invalid choice», «the following arguments are
required») said the way the rest of the CLI says things."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

HELP = "vis denne hjelpen og avslutt"
TYPE_NAMES = {"int": "et heltall", "float": "et tall"}


def _quoted(value: str) -> str:
    """'text' → «text», the way Norwegian quotes a value."""
    return (
        f"«{value[1:-1]}»"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""
        else f"«{value}»"
    )


def _choices(text: str) -> str:
    return ", ".join(c.strip().strip("'\"") for c in text.split(","))


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

# argparse's messages (Python 3.11 to 3.13) and what they say in Norwegian. Anything not here is shown as it is.
_RULES: list[_Rule] = [
    (re.compile(r"^the following arguments are required: (.+)$"), lambda m: f"du må oppgi {m[1]}"),
    (re.compile(r"^unrecognized arguments: (.+)$"), lambda m: f"forstår ikke {m[1]}"),
    (
        re.compile(r"^invalid choice: (.+?) \(choose from (.+)\)$"),
        lambda m: f"{_quoted(m[1])} finnes ikke; velg mellom {_choices(m[2])}",
    ),
    (
        re.compile(r"^invalid (\w+) value: (.+)$"),
        lambda m: f"{_quoted(m[2])} er ikke {TYPE_NAMES.get(m[1], 'gyldig')}",
    ),
    (re.compile(r"^expected one argument$"), lambda m: "mangler en verdi"),
    (re.compile(r"^expected at most one argument$"), lambda m: "tar høyst én verdi"),
    (re.compile(r"^expected at least one argument$"), lambda m: "mangler minst én verdi"),
    (re.compile(r"^expected (\d+) arguments?$"), lambda m: f"skal ha {m[1]} verdier"),
    (
        re.compile(r"^ambiguous option: (\S+) could match (.+)$"),
        lambda m: f"{m[1]} kan bety flere valg: {m[2]}",
    ),
    (re.compile(r"^not allowed with argument (.+)$"), lambda m: f"kan ikke brukes sammen med {m[1]}"),
    (re.compile(r"^ignored explicit argument (.+)$"), lambda m: f"tar ingen verdi (fikk {_quoted(m[1])})"),
    (re.compile(r"^one of the arguments (.+) is required$"), lambda m: f"du må oppgi ett av {m[1]}"),
    (re.compile(r"^can't open '(.+)': (.+)$"), lambda m: f"kan ikke åpne {m[1]}: {m[2]}"),
]
_ARGUMENT = re.compile(r"^argument (.+?): (.+)$", re.DOTALL)


def translate(message: str) -> str:
    """One of argparse's error messages in Norwegian."""
    if match := _ARGUMENT.match(message):
        return f"{match[1]}: {translate(match[2])}"
    for pattern, norwegian in _RULES:
        if match := pattern.match(message):
            return norwegian(match)
    return message


class HelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "bruk: " if prefix is None else prefix)


class ArgumentParser(argparse.ArgumentParser):
    """Every `restansebot` command and sub-command (sub-parsers are made of the same class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs["add_help"] = False  # our own -h, in Norwegian
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenter"
        self._optionals.title = "valg"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {translate(message)}\n")
