"""`python -m bot` is `restansebot`."""

from bot.cli import run

run()
