"""Merge per-sample featureCounts tables into one gene x sample count matrix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from drugsig.errors import InputError
from drugsig.io import write_table_atomic
from drugsig.sheets import Unit


def read_featurecounts_column(path: str | Path) -> pd.Series:
    """Counts of a single-BAM featureCounts table, indexed by ``Geneid``."""
    table = pd.read_csv(path, sep="\t", comment="#", index_col=0)
    if table.shape[1] != 6:
        raise InputError(
            f"{path}: expected featureCounts output for one BAM (7 columns), "
            f"found {table.shape[1] + 1}."
        )
    return table.iloc[:, -1]


def merge_counts(
    count_files: dict[str, str | Path], genes: pd.DataFrame, min_assigned: int = 1
) -> pd.DataFrame:
    """Build the count matrix: ``gene_id``, ``gene_name``, one column per sample.

    Parameters
    ----------
    count_files
        ``{sample: featureCounts table}`` in the order of the samples sheet.
    genes
        Gene table from :func:`drugsig.gtf.read_gene_table` (names by ``gene_id``).
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


FEATURECOUNTS_STRAND = {"none": 0, "forward": 1, "reverse": 2}


def featurecounts_strand(units: Sequence[Unit], default: str) -> int:
    """featureCounts ``-s`` value of a sample from its units' (or the default) strandedness.

    Raises
    ------
    InputError
        If the sample's units declare different strandedness.
    """
    declared = {unit.strandedness or default for unit in units}
    if len(declared) > 1:
        raise InputError(
            f"sample '{units[0].sample}': its units declare different strandedness "
            f"({', '.join(sorted(declared))}); one library has one strandedness."
        )
    return FEATURECOUNTS_STRAND[declared.pop()]
