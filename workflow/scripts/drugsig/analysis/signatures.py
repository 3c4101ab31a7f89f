"""Per-drug gene signatures, the cross-drug comparison and the marker-gene panel.

A gene is *significant* in a contrast when its ``padj`` is below ``signatures.padj``
and the absolute value of its *effect size* is at least ``signatures.min_abs_log2fc``.
The effect size is the apeGLM-shrunken log2 fold change (``log2FoldChange_shrunk``),
or the maximum-likelihood one (``log2FoldChange``) where there is no shrunken value
(all genes when ``diffexp.shrink`` is false).

Outputs
-------
``results/signatures/{contrast}.tsv``: the contrast's significant genes, up-regulated
first, then down-regulated.

* ``gene_id``, ``gene_name``: gene identifier and symbol.
* ``direction``: ``up`` (higher in the treatment) or ``down``.
* ``rank``: rank within its direction by absolute effect size, 1 = strongest
  (ties broken by ``gene_id``).
* ``log2FoldChange``, ``log2FoldChange_shrunk``, ``padj``: from the DE table.

``results/signatures/cross_drug.tsv``: per cell line and time point, one row per gene
significant in at least one of the treatment contrasts (drug vs vehicle) of that cell
line and time. Drugs are only compared at the same time point: with samples at 1 h and
6 h, the 1 h contrasts form one group and the 6 h contrasts another. A drug tested at
several doses in one group counts as several contrasts.

* ``cell_line``: the cell line (empty when the sheet has none).
* ``time``: the time point of the group (``time`` in ``contrasts.tsv``; empty when the
  sheet has none).
* ``gene_id``, ``gene_name``.
* ``{contrast}_log2FoldChange``, ``{contrast}_padj``: effect size and ``padj`` of the
  gene in each treatment contrast of the group (empty for other groups' contrasts, and
  where the gene was not tested).
* ``n_significant``: number of the group's treatment contrasts the gene is significant
  in.
* ``direction``: ``up`` or ``down`` when it goes the same way in all of them, else
  ``mixed``.
* ``category``: ``shared`` (significant in every treatment contrast of the group, in
  the same direction; needs at least two), ``specific`` (significant in exactly one)
  or ``partial`` (anything else).
* ``specific_to``: the contrast of a ``specific`` gene, else empty.

Rows are ordered by group (contrast order), category (shared, partial, specific),
``n_significant`` (descending) and ``gene_id``.

``results/signatures/marker_panel.tsv``: every marker gene (``signatures.marker_genes``,
matched by gene symbol) in every contrast, one row per contrast and gene.

* ``contrast``, ``gene_name``, ``gene_id``.
* ``present``: whether the contrast's DE table has the gene (false when the symbol is
  not in the annotation or the gene was dropped for low counts); the following
  columns are empty when it is false.
* ``log2FoldChange``, ``log2FoldChange_shrunk``, ``padj``: from the DE table.
* ``significant``: whether the gene passes the signature thresholds.
* ``direction``: sign of the effect size, ``up`` or ``down`` (whether significant or
  not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from drugsig.io import write_table_atomic
from drugsig.tables import (
    effect_size,
    load_contrast_tables,
    match_contrast_files,
    significant,
)

SIGNATURE_COLUMNS = [
    "gene_id",
    "gene_name",
    "direction",
    "rank",
    "log2FoldChange",
    "log2FoldChange_shrunk",
    "padj",
]
MARKER_COLUMNS = [
    "contrast",
    "gene_name",
    "gene_id",
    "present",
    "log2FoldChange",
    "log2FoldChange_shrunk",
    "padj",
    "significant",
    "direction",
]
CATEGORIES = ["shared", "partial", "specific"]


def treatment_groups(contrasts: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """Group the treatment contrasts by cell line and time point: the drugs to compare.

    A drug tested at several concentrations is represented by the contrast of its
    highest concentration (its strongest response); the whole series is modelled by
    the concentration-response step instead.

    Parameters
    ----------
    contrasts
        The contrasts table (``name``, ``kind``, ``cell_line`` and, if present,
        ``time``, ``treatment`` and ``dose``; a missing column or value counts as
        ``""``).

    Returns
    -------
    dict
        ``{(cell line, time): [contrast names]}``, groups in order of their first
        contrast, names in contrast order; ``""`` for a missing cell line or time.
    """
    treatment = contrasts[contrasts["kind"] == "treatment"]

    def column(name: str) -> list[str]:
        values = treatment[name] if name in treatment.columns else pd.Series("", treatment.index)
        return [str(value) for value in values.fillna("")]

    doses = (
        pd.to_numeric(treatment["dose"], errors="coerce").fillna(-np.inf).tolist()
        if "dose" in treatment.columns
        else [-np.inf] * len(treatment)
    )
    chosen: dict[tuple[str, str, str], tuple[float, str]] = {}
    for name, line, time, drug, dose in zip(
        treatment["name"],
        column("cell_line"),
        column("time"),
        column("treatment"),
        doses,
        strict=True,
    ):
        key = (line, time, drug or name)
        if key not in chosen or dose > chosen[key][0]:
            chosen[key] = (dose, name)
    kept = {name for _, name in chosen.values()}
    groups: dict[tuple[str, str], list[str]] = {}
    for name, line, time in zip(
        treatment["name"], column("cell_line"), column("time"), strict=True
    ):
        if name in kept:
            groups.setdefault((line, time), []).append(name)
    return groups


def _direction(effect: pd.Series) -> np.ndarray:
    return np.select([effect > 0, effect < 0], ["up", "down"], "")


def signature(table: pd.DataFrame, padj: float, min_abs_log2fc: float) -> pd.DataFrame:
    """Select the significant genes of one DE table, ranked within direction (up first).

    Parameters
    ----------
    table
        A DE result table (see :mod:`drugsig.diffexp.deseq`).
    padj, min_abs_log2fc
        Signature thresholds.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SIGNATURE_COLUMNS`.
    """
    genes = table[significant(table, padj, min_abs_log2fc)].copy()
    effect = effect_size(genes)
    genes["direction"] = _direction(effect)
    genes["strength"] = effect.abs()
    # "up" sorts after "down": descending puts the up-regulated genes first.
    genes = genes.sort_values(["direction", "strength", "gene_id"], ascending=[False, False, True])
    genes["rank"] = genes.groupby("direction").cumcount() + 1
    return genes[SIGNATURE_COLUMNS].reset_index(drop=True)


def _cross_group(
    cell_line: str,
    time: str,
    names: Sequence[str],
    tables: Mapping[str, pd.DataFrame],
    padj: float,
    min_abs_log2fc: float,
) -> pd.DataFrame:
    """Cross-drug rows of one cell line and time (``names``: its treatment contrasts)."""
    values: dict[str, pd.Series] = {}
    signs: dict[str, pd.Series] = {}
    gene_names: list[pd.Series] = []
    for name in names:
        table = tables[name].set_index("gene_id")
        effect = effect_size(table)
        values[f"{name}_log2FoldChange"] = effect
        values[f"{name}_padj"] = table["padj"]
        signs[name] = np.sign(effect).where(significant(table, padj, min_abs_log2fc), 0)
        gene_names.append(table["gene_name"])
    sign = pd.DataFrame(signs).fillna(0)
    sign = sign[(sign != 0).any(axis=1)]
    up, down = (sign > 0).sum(axis=1), (sign < 0).sum(axis=1)
    n_significant = up + down
    line = pd.DataFrame(values).loc[sign.index]
    line.insert(0, "gene_name", pd.concat(gene_names).groupby(level=0).first()[sign.index])
    line.insert(0, "time", time)
    line.insert(0, "cell_line", cell_line)
    line["n_significant"] = n_significant
    line["direction"] = np.select([down == 0, up == 0], ["up", "down"], "mixed")
    everywhere = (up == len(names)) | (down == len(names))
    line["category"] = np.select(
        [n_significant == 1, everywhere], ["specific", "shared"], "partial"
    )
    line["specific_to"] = sign.ne(0).idxmax(axis=1).where(n_significant == 1, "")
    line = line.rename_axis("gene_id").reset_index()
    category = line["category"].map(CATEGORIES.index)
    return line.iloc[np.lexsort((line["gene_id"], -line["n_significant"], category))]


def cross_drug(
    tables: Mapping[str, pd.DataFrame],
    contrasts: pd.DataFrame,
    padj: float,
    min_abs_log2fc: float,
) -> pd.DataFrame:
    """Compare the treatment contrasts of each cell line and time point gene by gene.

    Parameters
    ----------
    tables
        ``{contrast name: DE table}``.
    contrasts
        The contrasts table (``contrasts.tsv``: ``name``, ``kind``, ``cell_line``,
        ``time``; see :func:`treatment_groups`).
    padj, min_abs_log2fc
        Signature thresholds.

    Returns
    -------
    pandas.DataFrame
        The cross-drug table described in the module docstring.
    """
    groups = treatment_groups(contrasts)
    lines = [
        _cross_group(cell_line, time, names, tables, padj, min_abs_log2fc)
        for (cell_line, time), names in groups.items()
    ]
    compared = {name for names in groups.values() for name in names}
    treatment = [name for name in contrasts["name"] if name in compared]
    per_contrast = [
        f"{name}_{column}" for name in treatment for column in ("log2FoldChange", "padj")
    ]
    columns = [
        "cell_line",
        "time",
        "gene_id",
        "gene_name",
        *per_contrast,
        "n_significant",
        "direction",
        "category",
        "specific_to",
    ]
    if not lines:
        return pd.DataFrame(columns=columns)
    return pd.concat(lines, ignore_index=True)[columns]


def marker_panel(
    tables: Mapping[str, pd.DataFrame],
    marker_genes: Sequence[str],
    padj: float,
    min_abs_log2fc: float,
) -> pd.DataFrame:
    """Tabulate the marker genes in every contrast, tidy (one row per contrast and gene).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MARKER_COLUMNS`, contrasts in ``tables`` order and genes in
        ``marker_genes`` order.
    """
    markers = pd.DataFrame({"gene_name": list(dict.fromkeys(marker_genes))})
    panels = []
    for name, table in tables.items():
        panel = markers.merge(table, on="gene_name", how="left")
        panel.insert(0, "contrast", name)
        panel["present"] = panel["gene_id"].notna()
        panel["significant"] = significant(panel, padj, min_abs_log2fc)
        panel["direction"] = _direction(effect_size(panel))
        panels.append(panel[MARKER_COLUMNS])
    if not panels:
        return pd.DataFrame(columns=MARKER_COLUMNS)
    return pd.concat(panels, ignore_index=True)


def write_signatures(
    tables: Sequence[str | Path],
    contrasts: str | Path,
    signatures_cfg: Mapping[str, Any],
    signature_tables: Sequence[str | Path],
    cross_drug_table: str | Path,
    marker_panel_table: str | Path,
) -> None:
    """Write the signature tables, the cross-drug table and the marker panel.

    Parameters
    ----------
    tables, contrasts
        The DE tables in contrast order and ``contrasts.tsv``, as read by
        :func:`drugsig.tables.load_contrast_tables`.
    signatures_cfg
        The validated ``signatures`` config section.
    signature_tables
        Output paths ``results/signatures/{contrast}.tsv``, in contrast order.
    cross_drug_table, marker_panel_table
        Output paths of the cross-drug table and of the marker panel.
    """
    described, de_tables = load_contrast_tables(contrasts, tables)
    names = list(described["name"])
    thresholds = signatures_cfg["padj"], signatures_cfg["min_abs_log2fc"]
    for name, path in match_contrast_files(signature_tables, names).items():
        write_table_atomic(signature(de_tables[name], *thresholds), path)
    write_table_atomic(cross_drug(de_tables, described, *thresholds), cross_drug_table)
    write_table_atomic(
        marker_panel(de_tables, signatures_cfg["marker_genes"], *thresholds), marker_panel_table
    )
