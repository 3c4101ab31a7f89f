"""Reproducible output files: gzip without timestamp or name, plain TSV."""

import gzip
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

COMPRESS_LEVEL = 6


@contextmanager
def reproducible_gzip(path: Path) -> Iterator[gzip.GzipFile]:
    """Open ``path`` for writing gzip whose bytes depend on the content only.

    The header carries neither a modification time nor a file name, so the same
    content always gives the same file.
    """
    with (
        path.open("wb") as raw,
        gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, compresslevel=COMPRESS_LEVEL, mtime=0
        ) as stream,
    ):
        yield stream


def write_gzip(path: Path, chunks: Iterable[bytes]) -> None:
    """Write byte chunks to a reproducible gzip file."""
    with reproducible_gzip(path) as stream:
        for chunk in chunks:
            stream.write(chunk)


def write_tsv(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    """Write a tab-separated table with a header line."""
    lines = ["\t".join(header)] + ["\t".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
