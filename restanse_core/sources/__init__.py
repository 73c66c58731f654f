"""Live sources: records systems the bot reads restanser from and writes items off in (port, sync, write-off).

Adapters live in adapters/ (e.g. adapters/p360) and are found through the `restansebot.sources` entry points.
"""
