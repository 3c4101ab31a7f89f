"""A first look at a user's text input: empty, a spreadsheet, binary, UTF-16 or broken gzip.

Reading the start of a file is cheap, so the workflow does it while Snakemake builds
the DAG (``workflow/rules/common.smk``), before any job runs; the job that uses the
file reads the rest.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from drugsig.errors import InputError

HEAD_BYTES = 1 << 16
"""How much of a file :func:`read_head` looks at (before decompression)."""

GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def binary_problem(data: bytes) -> str | None:
    """Return what makes ``data`` (a file's start) not plain text, or ``None``.

    Recognises a zip archive (an Excel ``.xlsx`` workbook), an old Excel ``.xls``
    workbook, UTF-16 text and other binary data (a NUL byte).
    """
    if data.startswith(_ZIP_MAGIC):
        return "the file is a zip archive (an Excel .xlsx workbook?), not a text file"
    if data.startswith(_OLE_MAGIC):
        return "the file is an Excel .xls workbook (or another Office document), not a text file"
    even, odd = data[:200:2].count(0), data[1:200:2].count(0)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        min(even, odd) == 0 and max(even, odd) >= max(2, len(data[:200]) // 4)
    ):
        return "the file is UTF-16 text, not UTF-8"
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"the file holds binary data (a NUL byte at byte {nul + 1}), not text"
    return None


def read_head(path: str | Path, fix: str) -> str:
    """Return the start of a plain or gzip-compressed text file, decoded.

    Parameters
    ----------
    path
        The file (it must exist).
    fix
        How to fix a bad file, appended to the message (a sentence).

    Raises
    ------
    InputError
        If the file is empty (or a gzip file holding nothing), its gzip data is corrupt,
        it is a spreadsheet, UTF-16 or binary, or its start is not UTF-8 text.
    """
    path = Path(path)
    with path.open("rb") as handle:
        raw = handle.read(HEAD_BYTES)
    if not raw:
        raise InputError(f"{path}: the file is empty (0 bytes). {fix}")
    data = raw
    if raw.startswith(GZIP_MAGIC):
        decompressor = zlib.decompressobj(wbits=31)
        try:
            data = decompressor.decompress(raw, HEAD_BYTES)
        except zlib.error as error:
            raise InputError(
                f"{path}: the file starts like gzip but its data is corrupt ({error}). Copy or "
                "download it again."
            ) from error
        if not data.strip() and (decompressor.eof or len(raw) < HEAD_BYTES):
            raise InputError(f"{path}: the gzip file holds no data (it is empty). {fix}")
    problem = binary_problem(data)
    if problem:
        raise InputError(f"{path}: {problem}. {fix}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        cut = len(raw) == HEAD_BYTES or len(data) == HEAD_BYTES
        if not (cut and error.start >= len(data) - 3):  # not just a character cut in two
            line = data[: error.start].count(b"\n") + 1
            raise InputError(
                f"{path}, line {line}: the file is not UTF-8 text (byte "
                f"0x{data[error.start]:02x}). {fix}"
            ) from error
        text = data[: error.start].decode("utf-8")
    if not text.strip():
        raise InputError(f"{path}: the file has only blank lines (it is empty). {fix}")
    return text
