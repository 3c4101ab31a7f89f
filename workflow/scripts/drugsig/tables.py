"""The tables that stages hand to each other: count matrix, contrasts and DE results.

Every reader of a workflow table lives here, so that each table is parsed one way:

* :func:`read_counts`: ``results/counts/counts.tsv`` (``gene_id``, ``gene_name``, one
  column per sample).
* :func:`read_contrasts`: ``results/de/contrasts.tsv``, one row per contrast.
* :func:`read_lrt_index`: ``results/de/lrt/series.tsv``, one row per LRT series
  (its per-series tables are read with :func:`read_de_table`).
* :func:`read_de_table`: a per-contrast DE table (``results/de/{contrast}.tsv``) or any
  table with the same gene columns (signatures, marker panel).
* :func:`load_contrast_tables`: the contrasts and every contrast's table at once, the
  start of each downstream step.

:func:`effect_size` and :func:`significant` say what a DE table's row means, with the
signature thresholds, for every stage that ranks or selects genes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

GENE_COLUMNS = ["gene_id", "gene_name"]


def read_counts(path: str | Path) -> pd.DataFrame:
    """Read the count matrix TSV (gene ids and names kept as text, never NaN-parsed)."""
    return pd.read_csv(
        path, sep="\t", dtype={"gene_id": str, "gene_name": str}, keep_default_na=False
    )


def read_de_table(path: str | Path) -> pd.DataFrame:
    """Read a DE result table (gene ids and names as text; empty cells are NaN)."""
    return pd.read_csv(
        path,
        sep="\t",
        dtype={"gene_id": str, "gene_name": str},
        keep_default_na=False,
        na_values=[""],
    )


def read_contrasts(path: str | Path) -> pd.DataFrame:
    """Read ``contrasts.tsv`` as text (an empty ``cell_line`` stays ``""``)."""
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


LRT_INDEX_COLUMNS = [
    "series",
    "factor",
    "cell_line",
    "genotype",
    "drug",
    "time",
    "levels",
    "samples",
    "n_samples",
    "n_significant",
]


def read_lrt_index(path: str | Path) -> pd.DataFrame:
    """Read ``results/de/lrt/series.tsv`` (text columns as text, counts as integers)."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    for column in ("n_samples", "n_significant"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    return table


def match_contrast_files(
    paths: Sequence[str | Path], names: Sequence[str]
) -> dict[str, str | Path]:
    """Pair per-contrast files (``{name}.tsv``, in contrast order) with contrast names.

    Parameters
    ----------
    paths
        The files, one per contrast, in contrast order.
    names
        The contrast names.

    Returns
    -------
    dict
        ``{contrast name: path}`` in contrast order.

    Raises
    ------
    ValueError
        If the file names are not exactly ``{name}.tsv`` for ``names``, in order (the
        rule's inputs or outputs disagree with the contrasts).
    """
    expected = [f"{name}.tsv" for name in names]
    if [Path(path).name for path in paths] != expected:
        raise ValueError(f"files {list(map(str, paths))} do not match the contrasts {expected}.")
    return dict(zip(names, paths, strict=True))


def load_contrast_tables(
    contrasts: str | Path, tables: Sequence[str | Path], only: Sequence[str] | None = None
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Read the contrasts table and the per-contrast tables that go with it.

    Parameters
    ----------
    contrasts
        ``results/de/contrasts.tsv``.
    tables
        One table per contrast (``{name}.tsv``), in contrast order.
    only
        Read just these contrasts' tables (default: all).

    Returns
    -------
    described, tables
        The contrasts table (:func:`read_contrasts`) and ``{name: table}`` in contrast
        order (:func:`read_de_table`).
    """
    described = read_contrasts(contrasts)
    paths = match_contrast_files(tables, list(described["name"]))
    wanted = paths if only is None else {name: paths[name] for name in only}
    return described, {name: read_de_table(path) for name, path in wanted.items()}


def effect_size(table: pd.DataFrame) -> pd.Series:
    """Shrunken log2 fold change, falling back to the unshrunken one where missing."""
    return table["log2FoldChange_shrunk"].fillna(table["log2FoldChange"])


def significant(table: pd.DataFrame, padj: float, min_abs_log2fc: float) -> pd.Series:
    """Whether each gene of a DE table passes the signature thresholds."""
    return (table["padj"] < padj) & (effect_size(table).abs() >= min_abs_log2fc)
