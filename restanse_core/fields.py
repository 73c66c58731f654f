"""The fields a restanse list's columns are read into: the names `columns` and `--column FELT=…` map headings to.

A module of its own, without pydantic, so the command line can name them in its help without loading the settings.
"""

FIELDS = (
    "id",
    "saksnr",
    "doknr",
    "type",
    "dato",
    "dokdato",
    "tittel",
    "offentlig_tittel",
    "saksbehandler",
    "enhet",
    "tilgangskode",
    "avsender",
    "forfall",
    "avskrevet_dato",
    "avskrivningsmaate",
)
