"""Merge per-sample featureCounts tables into one gene x sample count matrix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from drugsig.errors import InputError
from drugsig.inputs.sheets import load_samples
from drugsig.io import write_table_atomic
from drugsig.reads.featurecounts import FEATURECOUNTS_ANNOTATION, read_featurecounts_column


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


def column_sample_name(column: str) -> str:
    """The sample a count-matrix column stands for: its file name up to the first dot.

    featureCounts names columns by BAM path, e.g.
    ``rnaseq/A549_DMSO_1h_1/A549_DMSO_1h_1.sorted.bam`` -> ``A549_DMSO_1h_1``; a
    plain sample name maps to itself (sample names contain no dots).
    """
    return column.rsplit("/", 1)[-1].split(".", 1)[0]


def match_sample_columns(
    columns: Sequence[str], samples: pd.DataFrame, source: str | Path
) -> dict[str, str]:
    """Map count-matrix columns to samples: ``{column: sample}`` in sheet order.

    A ``counts_column`` column in the samples sheet gives each sample's column
    name exactly; otherwise :func:`column_sample_name` applies.

    Raises
    ------
    InputError
        Listing the samples without a column and the columns without a sample.
    """
    if "counts_column" in samples.columns and samples["counts_column"].notna().all():
        wanted = dict(zip(samples["counts_column"], samples.index, strict=True))
    else:
        wanted = {column: column_sample_name(column) for column in columns}
        wanted = {column: name for column, name in wanted.items() if name in samples.index}
    found = {sample: column for column, sample in wanted.items() if column in columns}
    missing = [sample for sample in samples.index if sample not in found]
    extra = [column for column in columns if column not in wanted]
    if missing or extra:
        raise InputError(
            f"{source}: the count matrix's columns do not match the samples sheet. "
            f"Samples without a column: {', '.join(missing) or 'none'}. Columns without a "
            f"sample: {', '.join(extra) or 'none'}. Columns map to samples by file name up "
            "to the first dot (featureCounts' BAM paths work as they are), or exactly by a "
            "`counts_column` column in the samples sheet."
        )
    return {found[sample]: sample for sample in samples.index}


def import_count_matrix(
    path: str | Path, samples: pd.DataFrame, genes: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read a user's count matrix as ``gene_id``, ``gene_name``, one column per sample.

    Accepts featureCounts output as it is (comment line, annotation columns) or a
    TSV whose first column is the gene id. Gene names come from ``genes`` (the GTF's
    gene table; ids are also matched without a version suffix) when given, else from
    a gene-name column of the matrix, else the id.

    Raises
    ------
    InputError
        If columns and samples do not match, or counts are not non-negative integers.
    """
    table = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    gene_ids = table.iloc[:, 0].astype(str)
    name_column = next((c for c in GENE_NAME_COLUMNS if c in table.columns[1:]), None)
    ignored = {*FEATURECOUNTS_ANNOTATION, name_column}
    data_columns = [c for c in table.columns[1:] if c not in ignored]
    mapping = match_sample_columns(data_columns, samples, path)
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
    path: str | Path, samples_path: str | Path, genes_path: str | Path | None, output: str | Path
) -> None:
    """Import a user's count matrix (see :func:`import_count_matrix`) and write it."""
    genes = pd.read_csv(genes_path, sep="\t", dtype=str) if genes_path else None
    write_table_atomic(import_count_matrix(path, load_samples(samples_path), genes), output)
