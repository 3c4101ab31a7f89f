"""Writing result files so that a crash never leaves a complete-looking one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd


def write_table_atomic(table: pd.DataFrame, path: str | Path, float_format: str = "%.6g") -> None:
    """Write ``table`` as TSV (no index) via a temporary file renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            table.to_csv(stream, sep="\t", index=False, float_format=float_format)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
