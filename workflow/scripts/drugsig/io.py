"""Writing result files so that a crash never leaves a complete-looking one."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd


def write_text_atomic(text: str, path: str | Path) -> None:
    """Write ``text`` to ``path`` via a temporary file renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
