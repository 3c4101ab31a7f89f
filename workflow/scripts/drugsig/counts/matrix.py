"""Merge per-sample featureCounts tables into one gene x sample count matrix."""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from drugsig.errors import InputError
from drugsig.inputs.files import GZIP_MAGIC, read_head
from drugsig.inputs.sheets import load_samples
from drugsig.io import write_table_atomic
from drugsig.reads.featurecounts import FEATURECOUNTS_ANNOTATION, read_featurecounts_column
from drugsig.reference.gtf import open_text


def merge_counts(
    count_files: dict[str, str | Path], genes: pd.DataFrame, min_assigned: int = 1
) -> pd.DataFrame:
    """Build the count matrix: ``gene_id``, ``gene_name``, one column per sample.

    Parameters
    ----------
    count_files
        ``{sample: featureCounts table}`` in the order of the samples sheet.
    genes
        Gene table from :func:`drugsig.reference.gtf.read_gene_table` (names by ``gene_id``).
    min_assigned
        A sample with fewer assigned reads than this is an error.

    Raises
    ------
    InputError
        If a sample has (almost) no assigned reads, or the tables disagree on genes.
    """
    columns = {}
    reference_index = None
    for sample, path in count_files.items():
        column = read_featurecounts_column(path)
        if reference_index is None:
            reference_index = column.index
        elif not column.index.equals(reference_index):
            raise InputError(f"{path}: genes differ from the other samples' count tables.")
        total = int(column.sum())
        if total < min_assigned:
            raise InputError(
                f"sample '{sample}': {total} reads were assigned to genes ({path}). Check the "
                "FASTQ files, the reference and the strandedness setting."
            )
        columns[sample] = column.to_numpy()
    assert reference_index is not None
    names = genes.set_index("gene_id")["gene_name"].reindex(reference_index)
    matrix = pd.DataFrame(columns, index=reference_index)
    matrix.insert(0, "gene_name", names.fillna(pd.Series(reference_index, index=reference_index)))
    matrix.index.name = "gene_id"
    return matrix.reset_index()


def write_count_matrix(
    count_files: dict[str, str | Path], genes_path: str | Path, output: str | Path
) -> None:
    """Merge featureCounts tables (see :func:`merge_counts`) and write the matrix TSV."""
    genes = pd.read_csv(genes_path, sep="\t", dtype=str)
    write_table_atomic(merge_counts(count_files, genes), output)


GENE_NAME_COLUMNS = ["gene_name", "gene_symbol", "symbol", "Symbol", "GeneName"]


def column_sample_name(column: str, known: Collection[str] = ()) -> str:
    """Return the sample a count-matrix column stands for, from its file name.

    The file name (the part after the last ``/``) with extensions dropped one at a
    time, from the right, until it is a ``known`` sample; if none is, the file name up
    to the first dot. featureCounts names columns by BAM path, e.g.
    ``rnaseq/dose0.22_r1/dose0.22_r1.sorted.bam`` -> ``dose0.22_r1``; a plain sample
    name maps to itself.
    """
    name = column.rsplit("/", 1)[-1]
    candidate = name
    while candidate not in known:
        if "." not in candidate:
            return name.split(".", 1)[0]
        candidate = candidate.rsplit(".", 1)[0]
    return candidate


def match_sample_columns(
    columns: Sequence[str], samples: pd.DataFrame, source: str | Path, extra_columns: str = "error"
) -> dict[str, str]:
    """Map count-matrix columns to samples: ``{column: sample}`` in sheet order.

    A ``counts_column`` column in the samples sheet gives each sample's column
    name exactly; otherwise :func:`column_sample_name` applies. Columns of excluded
    samples (``samples.attrs``, see :func:`drugsig.inputs.sheets.load_samples`) are
    ignored; other columns without a sample are an error unless ``extra_columns`` is
    ``"ignore"`` (config ``counts_extra_columns``).

    Raises
    ------
    InputError
        Listing the samples without a column and the columns without a sample.
    """
    if "counts_column" in samples.columns and samples["counts_column"].notna().all():
        wanted = dict(zip(samples["counts_column"], samples.index, strict=True))
    else:
        known = set(samples.index) | set(samples.attrs.get("excluded", {}))
        wanted = {column: column_sample_name(column, known) for column in columns}
        wanted = {column: name for column, name in wanted.items() if name in samples.index}
    found: dict[str, str] = {}
    for column, sample in wanted.items():
        if column not in columns:
            continue
        if sample in found:
            raise InputError(
                f"{source}: columns '{found[sample]}' and '{column}' are both sample "
                f"'{sample}'; each sample needs exactly one column."
            )
        found[sample] = column
    missing = [sample for sample in samples.index if sample not in found]
    excluded = samples.attrs.get("excluded", {})
    skipped = set(excluded) | set(samples.attrs.get("excluded_columns", []))
    extra = [
        column
        for column in columns
        if column not in wanted
        and column not in skipped
        and column_sample_name(column, skipped) not in skipped
    ]
    if extra_columns == "ignore":
        extra = []
    if missing or extra:
        raise InputError(
            f"{source}: the count matrix's columns do not match the samples sheet. "
            f"Samples without a column: {', '.join(missing) or 'none'}. Columns without a "
            f"sample: {', '.join(extra) or 'none'}. Columns map to samples by file name, "
            "without its extensions (featureCounts' BAM paths work as they are), or exactly "
            "by a `counts_column` column in the samples sheet."
        )
    return {found[sample]: sample for sample in samples.index}


MATRIX_FIX = (
    "Give a tab-separated count matrix (a row per gene, a column per sample; plain or "
    "gzip-compressed) as config 'counts'."
)
_SEPARATORS = (("commas", ","), ("semicolons", ";"), ("spaces", " "))


def _data_columns(columns: Sequence[str]) -> list[str]:
    """Return the count columns of a matrix header (not gene id, name or annotation)."""
    name_column = next((c for c in GENE_NAME_COLUMNS if c in columns[1:]), None)
    ignored = {*FEATURECOUNTS_ANNOTATION, name_column}
    return [c for c in columns[1:] if c not in ignored]


def check_count_matrix_header(
    path: str | Path, samples: pd.DataFrame, extra_columns: str = "error"
) -> None:
    """Check a user's count matrix before any job runs: its start and its header.

    Reads the first 64 KiB (see :func:`drugsig.inputs.files.read_head`) and the
    header line, whose columns must match the samples (:func:`match_sample_columns`).
    The rows are checked by :func:`import_count_matrix`.

    Raises
    ------
    InputError
        If the file is missing, empty, a spreadsheet, binary, UTF-16, not UTF-8 or
        corrupt gzip; if the header is not tab-separated or repeats a column; or if
        the columns do not match the samples.
    """
    if not Path(path).is_file():
        raise InputError(f"{path}: file not found (config 'counts').")
    read_head(path, MATRIX_FIX)
    with open_text(path) as handle:
        lines = enumerate(handle, start=1)
        number, line = next(
            ((n, text) for n, text in lines if text.strip() and not text.startswith("#")),
            (0, ""),
        )
    if not number:
        raise InputError(f"{path}: the count matrix has no header line. {MATRIX_FIX}")
    header = line.rstrip("\r\n").split("\t")
    if len(header) == 1:
        for name, separator in _SEPARATORS:
            if separator in header[0].strip():
                raise InputError(
                    f"{path}, line {number}: the count matrix is not tab-separated (the header "
                    f"is split by {name}). Save it as tab-separated values (TSV)."
                )
    repeated = [name for name, count in Counter(header).items() if count > 1]
    if repeated:
        raise InputError(
            f"{path}, line {number}: column '{repeated[0]}' appears more than once in the "
            "header; each sample needs exactly one column."
        )
    match_sample_columns(_data_columns(header), samples, path, extra_columns)


def _read_matrix(path: str | Path) -> pd.DataFrame:
    """Read the count matrix as strings; our message for a file pandas cannot read."""
    with Path(path).open("rb") as handle:
        compression = "gzip" if handle.read(2) == GZIP_MAGIC else None
    try:
        table = pd.read_csv(
            path,
            sep="\t",
            comment="#",
            dtype=str,
            keep_default_na=False,
            compression=compression,
        )
    except pd.errors.EmptyDataError as error:
        raise InputError(f"{path}: the count matrix is empty. {MATRIX_FIX}") from error
    except UnicodeDecodeError as error:
        data = Path(path).read_bytes()
        data = gzip.decompress(data) if compression else data
        try:
            data.decode("utf-8")
            start = error.start  # not expected: the whole file decodes
        except UnicodeDecodeError as first:
            start = first.start
        line = data[:start].count(b"\n") + 1
        raise InputError(
            f"{path}, line {line}: the count matrix is not UTF-8 text (byte "
            f"0x{data[start : start + 1].hex() or '??'}). {MATRIX_FIX}"
        ) from error
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(
            f"{path}: the gzip data is truncated or corrupt ({error}). Copy or download the "
            "file again."
        ) from error
    except pd.errors.ParserError as error:
        raise InputError(
            f"{path}: the count matrix is not a tab-separated table ({error}). {MATRIX_FIX}"
        ) from error
    if table.empty:
        raise InputError(f"{path}: the count matrix has a header but no gene rows.")
    return table


def import_count_matrix(
    path: str | Path,
    samples: pd.DataFrame,
    genes: pd.DataFrame | None = None,
    extra_columns: str = "error",
) -> pd.DataFrame:
    """Read a user's count matrix as ``gene_id``, ``gene_name``, one column per sample.

    Accepts featureCounts output as it is (comment line, annotation columns) or a
    TSV whose first column is the gene id. Gene names come from ``genes`` (the GTF's
    gene table; ids are also matched without a version suffix) when given, else from
    a gene-name column of the matrix, else the id.

    Raises
    ------
    InputError
        If the file cannot be read as a tab-separated table (empty, not UTF-8,
        truncated gzip), a gene id is repeated, columns and samples do not match, or
        counts are not non-negative integers.
    """
    table = _read_matrix(path)
    gene_ids = table.iloc[:, 0].astype(str)
    repeated = gene_ids[gene_ids.duplicated(keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        rows = [str(number + 1) for number in np.flatnonzero(gene_ids == first)]
        others = repeated.nunique() - 1
        raise InputError(
            f"{path}: gene id '{first}' is on {len(rows)} rows (data rows "
            f"{', '.join(rows[:5])}){f' and {others} more gene ids repeat' if others else ''}; "
            "gene ids must be unique. Sum or remove the repeated rows."
        )
    name_column = next((c for c in GENE_NAME_COLUMNS if c in table.columns[1:]), None)
    mapping = match_sample_columns(_data_columns(list(table.columns)), samples, path, extra_columns)
    counts = table[list(mapping)].rename(columns=mapping)
    numeric = counts.apply(pd.to_numeric, errors="coerce")
    bad = numeric.isna() | (numeric < 0) | (numeric % 1 != 0)
    if bad.to_numpy().any():
        row, column = next(zip(*bad.to_numpy().nonzero(), strict=True))
        raise InputError(
            f"{path}: gene '{gene_ids.iloc[row]}', sample '{counts.columns[column]}': "
            f"'{counts.iat[row, column]}' is not a count (a non-negative integer)."
        )
    names = gene_ids.copy()
    if name_column is not None:
        names = table[name_column].where(table[name_column] != "", gene_ids)
    if genes is not None:
        by_id = genes.set_index("gene_id")["gene_name"]
        unversioned = by_id.set_axis(by_id.index.str.replace(r"\.\d+$", "", regex=True))
        unversioned = unversioned[~unversioned.index.duplicated()]
        from_gtf = gene_ids.map(by_id).fillna(
            gene_ids.str.replace(r"\.\d+$", "", regex=True).map(unversioned)
        )
        names = from_gtf.fillna(names)
    result = numeric.astype("int64")
    result.insert(0, "gene_name", names.to_numpy())
    result.insert(0, "gene_id", gene_ids.to_numpy())
    return result


def write_imported_counts(
    path: str | Path,
    samples_path: str | Path,
    genes_path: str | Path | None,
    output: str | Path,
    extra_columns: str = "error",
) -> None:
    """Import a user's count matrix (see :func:`import_count_matrix`) and write it.

    Only the included samples' columns are written (excluded samples and, with
    ``extra_columns="ignore"``, columns without a sample are left out).
    """
    genes = pd.read_csv(genes_path, sep="\t", dtype=str) if genes_path else None
    table = import_count_matrix(path, load_samples(samples_path), genes, extra_columns)
    write_table_atomic(table, output)
