"""Cheap early validation of a sequencing unit's FASTQ file(s), in one streaming pass.

Catches, before any trimming or alignment starts: a missing or empty file, a
truncated or corrupt gzip stream, a malformed record (header without ``@``, missing
``+`` line, sequence and quality of different lengths, a record cut short at the
end), and mate files that do not pair up (different read counts, or different read
names at the same position).

Speed: checks run on whole decompressed blocks (about 1 MB, ~4,000 records, at the
usual 4x compression) with numpy: line ends, first characters and line lengths are
located for all records at once; only the read names become Python objects (about
850 MB/s of FASTQ text per core). Inflating costs more: stdlib zlib manages about
75 MB/s of compressed input per core, ISA-L (``python-isal``, used when installed)
about 125 MB/s. Each file is inflated in one thread (which releases the GIL) and
checked in another, and the names of the two mates are compared as blocks arrive, so
a pair keeps two cores busy.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Generator
from concurrent.futures import Executor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import numpy as np

from drugsig.errors import InputError


def _inflate_module() -> ModuleType:
    """ISA-L's zlib-compatible module if installed (2-3x faster inflate), else zlib."""
    try:
        return importlib.import_module("isal.isal_zlib")  # python-isal, a cutadapt dependency
    except ImportError:  # pragma: no cover - depends on the environment
        return zlib


inflate = _inflate_module()

_T = TypeVar("_T")

# Compressed bytes per read: about 1 MB of FASTQ text. Larger blocks are slower, not
# faster (more page faults, less cache): 1 MB reads cost 1.5x the CPU and 3x the memory
# on very compressible files (16x, e.g. the simulated demo's, 16 MB blocks).
_READ_BYTES = 1 << 18
_GZIP_MAGIC = b"\x1f\x8b"
_SNIPPET = 40
_REDO = "Re-download or re-export the file (e.g. from the sequencing facility)."


@dataclass(frozen=True)
class LengthStats:
    """Read (sequence) lengths of one FASTQ file."""

    min: int
    max: int
    mean: float


@dataclass(frozen=True)
class FastqSummary:
    """Outcome of a successful check: records per file and read lengths."""

    records: int
    read1: LengthStats
    read2: LengthStats | None


class _StreamError(Exception):
    """The gzip stream is ``"truncated"`` or ``"corrupt"`` (no record context yet)."""


def _decompressed(path: Path) -> Generator[bytes, None, None]:
    """Blocks of a plain or gzip-compressed (also multi-member, e.g. bgzip) file."""
    with path.open("rb") as raw:
        pending = raw.read(_READ_BYTES)
        if not pending.startswith(_GZIP_MAGIC):
            while pending:
                yield pending
                pending = raw.read(_READ_BYTES)
            return
        decompressor = inflate.decompressobj(wbits=31)
        while True:
            if not pending:
                pending = raw.read(_READ_BYTES)
                if not pending:
                    break
            if decompressor.eof:  # the previous gzip member ended; a new one starts
                decompressor = inflate.decompressobj(wbits=31)
            try:
                block = decompressor.decompress(pending)
            except inflate.error as error:
                raise _StreamError("corrupt") from error
            pending = decompressor.unused_data
            yield block
        if not decompressor.eof:
            raise _StreamError("truncated")


def _read_ahead(items: Generator[_T, None, None], pool: Executor) -> Generator[_T, None, None]:
    """Yield ``items``; the next one is computed in ``pool`` while the caller uses this one."""
    future = pool.submit(next, items, None)
    try:
        while (item := future.result()) is not None:
            future = pool.submit(next, items, None)
            yield item
    finally:
        wait([future])  # a generator cannot be closed while it runs in another thread
        items.close()


def _shown(line: bytes) -> str:
    text = line[:_SNIPPET].decode(errors="replace")
    return repr(text + "..." if len(line) > _SNIPPET else text)


def _line_ends(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the newlines and of all bytes <= 32 (whitespace) in ``data``."""
    text = np.frombuffer(data, dtype=np.uint8)
    separators = np.flatnonzero(text <= ord(" "))
    return separators[text[separators] == ord("\n")], separators


class _FastqFile:
    """Validates one FASTQ file block by block and yields the read names per block."""

    def __init__(self, path: Path, pool: Executor) -> None:
        self.path = path
        self.pool = pool
        self.records = 0
        self.min_length = 0
        self.max_length = 0
        self.bases = 0

    def _fail(self, index: int, line_in_record: int, problem: str) -> InputError:
        record = self.records + index + 1
        line = 4 * (record - 1) + line_in_record
        return InputError(f"{self.path}, record {record} (line {line}): {problem} {_REDO}")

    def _check(self, data: bytes, newlines: np.ndarray, separators: np.ndarray) -> list[bytes]:
        """Check the records in ``data``: 4 lines each, ending at ``newlines``.

        ``separators`` are the positions of bytes <= 32 (space, tab, CR, LF), where
        read names end. Returns the read names: the header after ``@`` up to the first
        separator, without a trailing ``/1`` or ``/2`` (so that mates compare equal).
        """
        text = np.frombuffer(data, dtype=np.uint8)
        ends = newlines.reshape(-1, 4)
        starts = np.empty_like(newlines)
        starts[0] = 0
        starts[1:] = newlines[:-1] + 1
        starts = starts.reshape(-1, 4)
        bad = np.flatnonzero(text[starts[:, 0]] != ord("@"))
        if bad.size:
            line = data[starts[bad[0], 0] : ends[bad[0], 0]]
            raise self._fail(
                int(bad[0]), 1, f"the header line should start with '@' but is {_shown(line)}."
            )
        bad = np.flatnonzero(text[starts[:, 2]] != ord("+"))
        if bad.size:
            line = data[starts[bad[0], 2] : ends[bad[0], 2]]
            raise self._fail(int(bad[0]), 3, f"expected the '+' line but found {_shown(line)}.")
        lengths = ends[:, 1] - starts[:, 1]
        quality_lengths = ends[:, 3] - starts[:, 3]
        bad = np.flatnonzero(lengths != quality_lengths)
        if bad.size:
            raise self._fail(
                int(bad[0]),
                4,
                f"the sequence has {lengths[bad[0]]} bases but the quality line "
                f"{quality_lengths[bad[0]]} values.",
            )
        name_starts = starts[:, 0] + 1
        name_ends = separators[np.searchsorted(separators, name_starts)]
        name_ends -= 2 * (
            (name_ends - name_starts >= 2)
            & (text[name_ends - 2] == ord("/"))
            & ((text[name_ends - 1] == ord("1")) | (text[name_ends - 1] == ord("2")))
        )
        names = [data[s:e] for s, e in zip(name_starts.tolist(), name_ends.tolist(), strict=True)]
        low, high = int(lengths.min()), int(lengths.max())
        self.min_length = min(self.min_length, low) if self.records else low
        self.max_length = max(self.max_length, high)
        self.bases += int(lengths.sum())
        self.records += len(names)
        return names

    def batches(self) -> Generator[list[bytes], None, None]:
        """Read names, block by block, of the records checked so far.

        Raises
        ------
        InputError
            On a truncated or corrupt gzip stream, a malformed record, or no records.
        """
        data = b""
        try:
            for block in _read_ahead(_decompressed(self.path), self.pool):
                data += block
                newlines, separators = _line_ends(data)
                complete = len(newlines) // 4 * 4
                if complete:
                    yield self._check(data, newlines[:complete], separators)
                    data = data[newlines[complete - 1] + 1 :]
        except _StreamError as error:
            problem = (
                f"the gzip stream is truncated after about {self.records} records (it ends in "
                f"or just before record {self.records + 1}). The file was cut short, e.g. by "
                "an interrupted download or copy"
                if str(error) == "truncated"
                else f"the gzip data is corrupt (detected after {self.records} records were read)"
            )
            raise InputError(f"{self.path}: {problem}; copy or download it again.") from error
        if data.strip():  # the last record lacks its final newline, or is incomplete
            data = data.rstrip(b"\n") + b"\n"
            newlines, separators = _line_ends(data)
            if len(newlines) != 4:
                raise self._fail(
                    0, len(newlines), f"the file ends after line {len(newlines)} of this record."
                )
            yield self._check(data, newlines, separators)
        if not self.records:
            raise InputError(
                f"{self.path}: the file has no FASTQ records. Check the fq1/fq2 path in the "
                "units sheet, or re-export the file."
            )

    def stats(self) -> LengthStats:
        """Length statistics of all records checked."""
        return LengthStats(self.min_length, self.max_length, self.bases / self.records)


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise InputError(
            f"{path}: FASTQ file not found. Check the fq1/fq2 path in the units sheet."
        )
    if path.stat().st_size == 0:
        raise InputError(
            f"{path}: FASTQ file is empty (0 bytes). Check the fq1/fq2 path in the units sheet, "
            "or copy or download the file again."
        )


def _mismatch(fq1: Path, fq2: Path, record: int, name1: bytes, name2: bytes) -> InputError:
    return InputError(
        f"{fq1} and {fq2}: read names differ at record {record} "
        f"({name1.decode(errors='replace')!r} vs {name2.decode(errors='replace')!r}, "
        "compared up to the first space, ignoring a trailing /1 or /2). Mate files must list "
        "the same reads in the same order; use the original pair of files, or re-pair them, "
        "e.g. with `seqkit pair`."
    )


def check_fastq(fq1: str | Path, fq2: str | Path | None = None) -> FastqSummary:
    """Validate one unit's FASTQ file(s) in a single streaming pass.

    Parameters
    ----------
    fq1
        Read-1 FASTQ, plain or gzip-compressed.
    fq2
        Read-2 FASTQ for paired-end units; ``None`` for single-end.

    Returns
    -------
    FastqSummary
        Number of records (pairs) and read-length statistics per file.

    Raises
    ------
    InputError
        If a file is missing or empty, its gzip stream is truncated or corrupt, a
        record is malformed, or the mates differ in read count or read names. The
        message names the file(s) and the record (1-based) where the problem is.
    """
    paths = [Path(fq1)] + ([] if fq2 is None else [Path(fq2)])
    for path in paths:
        _require_file(path)
    # per file: one thread inflates, another checks (or the caller, single-end)
    with ThreadPoolExecutor(max_workers=2 * len(paths)) as pool:
        files = [_FastqFile(path, pool) for path in paths]
        if fq2 is None:
            for _ in files[0].batches():
                pass
            return FastqSummary(files[0].records, files[0].stats(), None)
        _check_pair(files[0], files[1])
    return FastqSummary(files[0].records, files[0].stats(), files[1].stats())


def _check_pair(read1: _FastqFile, read2: _FastqFile) -> None:
    """Stream both files in lockstep, each checked in a worker thread, comparing names."""
    streams = [_read_ahead(read1.batches(), read1.pool), _read_ahead(read2.batches(), read2.pool)]
    pending: list[list[bytes]] = [[], []]
    done = [False, False]
    paired = 0
    try:
        while not all(done):
            # take the next block from the side that is behind, or the one still going
            side = 1 if done[0] else 0 if done[1] else int(len(pending[1]) < len(pending[0]))
            names = next(streams[side], None)
            if names is None:
                done[side] = True
            else:
                pending[side].extend(names)
            common = min(len(pending[0]), len(pending[1]))
            first, second = pending[0][:common], pending[1][:common]
            if first != second:
                pairs = enumerate(zip(first, second, strict=True))
                offset = next(i for i, (name1, name2) in pairs if name1 != name2)
                raise _mismatch(
                    read1.path, read2.path, paired + offset + 1, first[offset], second[offset]
                )
            paired += common
            for names_of_side in pending:
                del names_of_side[:common]
            if (done[0] and not pending[0]) or (done[1] and not pending[1]):
                pending = [[], []]  # no more mates: only count and check the rest
    finally:
        for stream in streams:
            stream.close()
    if read1.records != read2.records:
        longer = read1 if read1.records > read2.records else read2
        raise InputError(
            f"{read1.path} has {read1.records} records but {read2.path} has {read2.records}: "
            f"record {paired + 1} of {longer.path} has no mate. Mate files must have the same "
            "reads; one of them is probably incomplete. Copy or download the pair again."
        )
