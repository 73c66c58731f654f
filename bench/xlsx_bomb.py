"""A zip-bomb workbook: 6.5 MB on disk, 1.9 GB unpacked. How fast, and in how much memory, is it refused?

    python -m bench.xlsx_bomb            # builds bench/data/bomb.xlsx once (about a minute), then measures

The workbook is a real one (the header row an import recognises) whose sheet goes on with 1.9 GB of identical
rows, so it compresses about 300:1 — the shape of the file that once ran for minutes past 8 GB. The import
runs as `restansebot import` in a fresh process with the default settings; wall time and the process's peak
RSS are printed. Target: refused in under 5 s, under 600 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.machine import describe

DATA = Path(__file__).resolve().parent / "data"
BOMB = DATA / "bomb.xlsx"
UNPACKED = 1_900_000_000

_ROW = (
    b'<row r="3"><c r="A3" t="inlineStr"><is><t>2019/1-1</t></is></c><c r="B3" t="inlineStr"><is><t>I</t></is></c>'
    b'<c r="C3" t="inlineStr"><is><t>LMA</t></is></c></row>'
)
_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>Journalpostnr</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>Type</t></is></c><c r="C1" t="inlineStr"><is><t>Adm.enhet</t></is></c></row>'
)
_TAIL = b"</sheetData></worksheet>"
_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="Restanser" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def build(path: Path) -> None:
    """Stream the sheet into the zip: the 1.9 GB never exist in memory or on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = _ROW * ((1 << 20) // len(_ROW))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_HEAD)
            written = len(_HEAD)
            while written < UNPACKED:
                sheet.write(block)
                written += len(block)
            sheet.write(_TAIL)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rebuild", action="store_true", help="build the workbook again")
    args = parser.parse_args()
    print(describe())
    if args.rebuild or not BOMB.exists():
        started = time.perf_counter()
        build(BOMB)
        print(f"built {BOMB}: {BOMB.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.0f} s")
    with zipfile.ZipFile(BOMB) as archive:
        unpacked = sum(e.file_size for e in archive.infolist())
    print(f"{BOMB.name}: {BOMB.stat().st_size / 1e6:.1f} MB on disk, {unpacked / 1e9:.2f} GB unpacked")
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(sys.executable).with_name("restansebot")
        env = {**os.environ, "RESTANSEBOT_DATABASE_URL": f"sqlite:///{tmp}/bomb.db"}
        subprocess.run([exe, "db", "upgrade"], env=env, check=True, capture_output=True)
        # What every command costs before it does anything: starting Python, the imports, the schema check.
        started = time.perf_counter()
        subprocess.run([exe, "db", "upgrade"], env=env, check=True, capture_output=True)
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        result = subprocess.run(
            [exe, "import", BOMB, "--as-of", "2019-12-16"], env=env, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"exit {result.returncode} in {elapsed:.2f} s ({baseline:.2f} s of it is what `db upgrade` alone takes)"
    )
    print(f"peak RSS of the processes: {peak:.0f} MB")
    print(result.stderr.strip())


if __name__ == "__main__":
    main()
