"""Load and check the samples and units sheets.

Both are tab-separated with a header line. Empty cells mean "not given" and become
``None`` (never the string ``"nan"``). Every problem raises
:class:`~drugsig.errors.InputError` naming the file, the line and the problem.
"""

from __future__ import annotations

import csv
import difflib
import errno
import os
import stat
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from drugsig.errors import InputError
from drugsig.inputs.files import GZIP_MAGIC, HEAD_BYTES, binary_problem
from drugsig.inputs.schema import row_check, validate


def read_sheet(path: str | Path) -> list[dict[str, str]]:
    """Read a TSV sheet into one dict per data row (empty cells left out).

    Each dict also carries the key ``"_line"``: the row's line number in the file.

    Raises
    ------
    InputError
        If the file is missing, empty, a spreadsheet, gzip-compressed, binary or
        otherwise not UTF-8, not tab-separated, or a row has more
        cells than the header (or a single cell split by commas, semicolons or spaces).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found.")
    lines = []
    # a byte-order mark (Excel's "UTF-8 CSV") is not part of the first column's name
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    problem = (
        "the sheet is gzip-compressed; decompress it (gunzip)"
        if data.startswith(GZIP_MAGIC)
        else binary_problem(data[:HEAD_BYTES])
    )
    if problem:
        raise InputError(f"{path}: {problem}. Save it as UTF-8 tab-separated values (TSV).")
    for n, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{path}, line {n}: the sheet is not UTF-8 text (byte "
                f"0x{raw[error.start]:02x}). Save it as UTF-8 tab-separated values."
            ) from error
        if not line.startswith("#"):
            lines.append((n, line))
    lines = [(n, line) for n, line in lines if line.strip()]
    if not lines:
        raise InputError(f"{path}: the sheet is empty; it needs a header line and rows.")
    header_line, header_text = lines[0]
    header = [cell.strip() for cell in header_text.rstrip("\r\n").split("\t")]
    if len(header) == 1:
        for name, separator in (("commas", ","), ("semicolons", ";"), ("spaces", " ")):
            if separator in header[0].strip():
                raise InputError(
                    f"{path}, line {header_line}: the sheet is not tab-separated (the header "
                    f"is split by {name}). Save it as tab-separated values (TSV)."
                )
    duplicated = [name for name, count in Counter(header).items() if count > 1]
    if duplicated:
        raise InputError(f"{path}, line {header_line}: duplicate column(s) {duplicated}.")
    rows = []
    reader = csv.reader((text for _, text in lines[1:]), delimiter="\t")
    for (line_number, _), cells in zip(lines[1:], reader, strict=True):
        if len(cells) > len(header):
            raise InputError(
                f"{path}, line {line_number}: {len(cells)} cells but the header has "
                f"{len(header)} columns. Is a value containing a tab, or the sheet not "
                "tab-separated?"
            )
        if len(cells) == 1 < len(header):
            for name, separator in (("commas", ","), ("semicolons", ";"), ("spaces", " ")):
                if separator in cells[0].strip():
                    raise InputError(
                        f"{path}, line {line_number}: one cell but the header has "
                        f"{len(header)} columns; the row is split by {name}, not tabs. Save "
                        "the sheet as tab-separated values (TSV)."
                    )
        row: dict[str, str] = {"_line": str(line_number)}
        for name, cell in zip(header, cells, strict=False):
            value = cell.strip()
            if value:
                row[name] = value
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: the sheet has a header but no rows.")
    return rows


def row_location(path: str | Path, row: Mapping[str, str], number: int, keys: Sequence[str]) -> str:
    """Where a sheet row is, for error messages: file, data row, line and key values.

    Parameters
    ----------
    path
        The sheet.
    row
        The row as read by :func:`drugsig.inputs.sheets.read_sheet` (with ``_line``).
    number
        1-based data row number.
    keys
        Columns whose values identify the row, shown when given.
    """
    values = ", ".join(f"{key} '{row[key]}'" for key in keys if key in row)
    return f"{path}, row {number} (line {row['_line']}{'; ' + values if values else ''})"


def _columns(rows: list[dict[str, str]], required: list[str]) -> list[str]:
    columns = list(required)
    for row in rows:
        columns.extend(key for key in row if key not in columns and key != "_line")
    return columns


EXCLUDE = "exclude"


def load_samples(path: str | Path, keep_excluded: bool = False) -> pd.DataFrame:
    """Load the samples sheet: one row per sample, indexed by ``sample``.

    All columns are strings; missing values are ``None``. A sample with a non-empty
    ``exclude`` cell (the reason) is excluded: left out of the returned table (and of
    every stage: FASTQ processing, the count matrix, DE, ...) unless ``keep_excluded``;
    the table's ``attrs["excluded"]`` holds ``{sample: reason}`` and
    ``attrs["excluded_columns"]`` their ``counts_column`` values, and the ``exclude``
    column is dropped.

    Raises
    ------
    InputError
        On a schema violation (bad sample name, missing condition, non-numeric
        dose, ...), a duplicate sample name, or when every sample is excluded.
    """
    rows = read_sheet(path)
    passes = row_check("samples")
    seen: dict[str, str] = {}
    for row in rows:
        instance = {k: v for k, v in row.items() if k != "_line"}
        if passes is None or not passes(instance):
            label = f" (sample '{row['sample']}')" if "sample" in row else ""
            validate(instance, "samples", f"{path}, line {row['_line']}{label}")
        if row["sample"] in seen:
            raise InputError(
                f"{path}, line {row['_line']}: duplicate sample name '{row['sample']}' "
                f"(first on line {seen[row['sample']]}). Sample names must be unique."
            )
        seen[row["sample"]] = row["_line"]
    columns = _columns(rows, ["sample", "condition"])
    table = pd.DataFrame(
        [[row.get(column) for column in columns] for row in rows], columns=columns, dtype=object
    )
    table = table.set_index("sample", drop=False)
    if keep_excluded or EXCLUDE not in table.columns:
        table.attrs.update(excluded={}, excluded_columns=[])
        return table
    reasons = table[EXCLUDE].fillna("").astype(str).str.strip()
    dropped = reasons != ""
    if dropped.all():
        raise InputError(f"{path}: every sample has an '{EXCLUDE}' reason; nothing is left.")
    included = table.loc[~dropped].drop(columns=EXCLUDE)
    included.attrs["excluded"] = dict(reasons[dropped])
    included.attrs["excluded_columns"] = (
        list(table.loc[dropped, "counts_column"].dropna()) if "counts_column" in table else []
    )
    return included


# errno values Path.is_file() and Path.is_dir() read as "no such file" (others raise).
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def _stat(path: str) -> os.stat_result | None:
    """Stat a FASTQ path (one call instead of is_dir, is_file and stat).

    Returns ``None`` where :meth:`pathlib.Path.is_file` would give ``False``.
    """
    try:
        return Path(path).stat()
    except OSError as error:
        if error.errno not in _MISSING:
            raise
        return None
    except ValueError:
        return None


@dataclass(frozen=True)
class Unit:
    """One sequencing unit (lane or run) of a sample: its read 1 and, if paired, read 2.

    The workflow's one unit type: a row of the units sheet (:func:`load_units`), the
    ``--unit`` options of the per-sample job
    (:func:`drugsig.reads.reads_to_counts.unit_arguments`), a unit of the raw-read
    check (:func:`drugsig.reads.raw_check.check_samples`) and, with the trimmed files,
    what the aligners read (:func:`drugsig.reads.trim.trim_sample`).
    """

    sample: str
    unit: str
    fq1: str
    fq2: str | None = None
    strandedness: str | None = None
    """Declared in the units sheet (none, forward, reverse or auto); None: not given."""

    @property
    def paired(self) -> bool:
        """True for paired-end units."""
        return self.fq2 is not None

    @property
    def files(self) -> list[str]:
        """Read 1 and, if paired, read 2."""
        return [self.fq1] if self.fq2 is None else [self.fq1, self.fq2]

    def record(self) -> dict[str, str | None]:
        """Return the unit as a plain ``{"unit", "fq1", "fq2"}`` dict.

        The form a Snakemake ``params`` value carries (rule check_reads): Snakemake
        records plain values to notice changed parameters, so the check jobs of
        unchanged units stay up to date.
        """
        return {"unit": self.unit, "fq1": self.fq1, "fq2": self.fq2}

    @classmethod
    def from_record(cls, sample: str, record: Mapping[str, str | None]) -> Unit:
        """Return the unit of ``sample`` that :meth:`record` gave ``record`` for."""
        return cls(sample, str(record["unit"]), str(record["fq1"]), record.get("fq2"))


def load_units(
    path: str | Path, samples: pd.DataFrame, check_files: bool = True
) -> dict[str, list[Unit]]:
    """Load the units sheet as ``{sample: [Unit, ...]}`` in sheet order.

    Parameters
    ----------
    path
        The units sheet.
    samples
        The loaded samples sheet; every sample needs at least one unit and every
        unit a known sample.
    check_files
        Check that every FASTQ file exists and is not empty.

    Raises
    ------
    InputError
        On a schema violation, an unknown or unit-less sample, a duplicate unit, a
        sample mixing single-end and paired-end units, or a missing/empty FASTQ (or a
        directory given as one).
    """
    rows = read_sheet(path)
    passes = row_check("units")
    known = set(samples.index)
    excluded = set(samples.attrs.get("excluded", {}))  # their units are skipped
    units: dict[str, list[Unit]] = {}
    for row in rows:
        where = f"{path}, line {row['_line']}"
        instance = {k: v for k, v in row.items() if k != "_line"}
        if passes is None or not passes(instance):
            validate(instance, "units", where)
        sample = row["sample"]
        if sample in excluded:
            continue
        if sample not in known:
            close = difflib.get_close_matches(sample, list(samples.index), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InputError(
                f"{where}: sample '{sample}' is not in the samples sheet{hint}. Add it there "
                "or remove this unit."
            )
        unit = Unit(sample, row["unit"], row["fq1"], row.get("fq2"), row.get("strandedness"))
        previous = units.setdefault(sample, [])
        if any(other.unit == unit.unit for other in previous):
            raise InputError(f"{where}: duplicate unit '{unit.unit}' of sample '{sample}'.")
        if previous and previous[0].paired != unit.paired:
            raise InputError(
                f"{where}: sample '{sample}' mixes single-end and paired-end units; all "
                "units of a sample must have the same layout."
            )
        if unit.fq1 == unit.fq2:
            raise InputError(f"{where}: fq1 and fq2 are the same file '{unit.fq1}'.")
        if check_files:
            for column, fastq in (("fq1", unit.fq1), ("fq2", unit.fq2)):
                if fastq is None:
                    continue
                status = _stat(fastq)
                if status is not None and stat.S_ISDIR(status.st_mode):
                    raise InputError(
                        f"{where}: {column} '{fastq}' is a directory; give the FASTQ file's path."
                    )
                if status is None or not stat.S_ISREG(status.st_mode):
                    raise InputError(f"{where}: {column} file '{fastq}' not found.")
                if status.st_size == 0:
                    raise InputError(f"{where}: {column} file '{fastq}' is empty.")
        previous.append(unit)
    missing = [sample for sample in samples.index if sample not in units]
    if missing:
        raise InputError(
            f"{path}: sample(s) {', '.join(missing)} of the samples sheet have no unit. "
            "Add their FASTQ files to the units sheet or remove them from the samples sheet."
        )
    return units
