"""Files between jobs: written so that a crash never leaves a complete-looking one.

* :func:`write_bytes_atomic`, :func:`write_text_atomic`, :func:`write_table_atomic`:
  a temporary file renamed into place.
* :func:`concat_tables`: one TSV from several with the same columns.
* :func:`require_files`: per-contrast files written beside a job's index file must
  still exist when a later job reads them.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from drugsig.errors import InputError


def _file_mode() -> int:
    """Permissions of a new file under the current umask (mkstemp would give 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes_atomic(data: bytes, path: str | Path) -> None:
    """Write ``data`` to ``path`` via a temporary file renamed into place.

    A crash leaves either the old file or none, never a truncated one; the new file
    gets the usual permissions (``0666`` less the umask).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).chmod(_file_mode())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomic(text: str, path: str | Path) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, see :func:`write_bytes_atomic`."""
    write_bytes_atomic(text.encode(), path)


def write_table_atomic(
    table: pd.DataFrame, path: str | Path, float_format: str = "%.6g", header: str = ""
) -> None:
    """Write ``table`` as TSV (no index), after ``header`` lines, atomically."""
    buffer = io.StringIO()
    table.to_csv(buffer, sep="\t", index=False, float_format=float_format)
    write_text_atomic(header + buffer.getvalue(), path)


def concat_tables(paths: list[str | Path], output: str | Path) -> None:
    """Concatenate TSV tables with the same columns (in the given order) into ``output``."""
    tables = [pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False) for path in paths]
    write_table_atomic(pd.concat(tables, ignore_index=True), output)


def require_files(paths: Iterable[str | Path], rule: str) -> list[str]:
    """Return ``paths`` as strings if every file exists.

    For per-contrast files that a job writes together with an index file, which is
    what later rules depend on: Snakemake does not notice when one of them is deleted.

    Raises
    ------
    InputError
        Naming the missing files and how to re-create them.
    """
    names = [str(path) for path in paths]
    missing = [name for name in names if not Path(name).is_file()]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise InputError(
            f"{shown}: missing, though rule {rule} has run (deleted since?). Re-create "
            f"with: snakemake --forcerun {rule}"
        )
    return names
