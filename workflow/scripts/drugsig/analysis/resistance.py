"""Resistance-mechanism panel for the genotype contrasts (resistant vs parental line).

Every *genotype* contrast is checked against a fixed list of known resistance
mechanisms (:data:`PANEL`). Each mechanism has one or more pieces of evidence with an
expected direction:

================================  ==============================================
mechanism                         evidence (expected direction)
================================  ==============================================
RB1 loss                          RB1 (down)
CCNE1/CDK2 up                     CCNE1 (up), CDK2 (up)
ABC efflux (ABCB1/ABCG2) up       ABCB1 (up), ABCG2 (up)
PI3K/AKT/mTOR activation          gene set PI3K_AKT_MTOR_SIGNALING (up)
RAS/MEK/ERK activation            gene set RAS_MEK_ERK_SIGNALING (up)
NTRK1/NGF                         NTRK1 (up), NGF (up)
================================  ==============================================

Genes are looked up by symbol, case-insensitively; when several genes share the
symbol, the one with the smallest ``padj`` is used. Gene sets are those of
``resources/genesets/drugsig_curated.gmt``, and their evidence comes from the
contrast's pre-ranked GSEA (:mod:`drugsig.analysis.genesets`).

Calls for one piece of evidence (thresholds in the ``resistance`` config section):

* gene: ``supports`` when ``padj < resistance.padj`` and the effect size (shrunken
  log2 fold change, else the MLE) is at least ``resistance.min_abs_log2fc`` in the
  expected direction. ``against`` when it passes the same thresholds in the opposite
  direction. ``no evidence`` otherwise, or when the gene is not in the DE table
  (not annotated, or filtered out for low counts).
* gene set: ``supports`` when its GSEA ``fdr < resistance.set_fdr``, its NES has the
  expected sign and at least one of its genes is itself significant in that direction
  (the gene rule above); ``against`` likewise with the opposite sign; ``no evidence``
  otherwise, or when the set was not tested (too few of its genes in the ranking, see
  ``genesets.min_size``). Requiring a significant member gene keeps a diffuse shift
  of a small set's ranks, which happens by chance with few tested sets, from making a
  call on its own. The default ``set_fdr`` is 0.05 rather than GSEA's
  exploratory 0.25: with only a handful of sets tested, the GSEA FDR is unstable (it
  can fall below the nominal p-value), and a panel call should be firm.

A mechanism's call is the strongest of its evidence: ``supports`` when any piece
supports it, else ``against`` when any piece is against it, else ``no evidence``. One
over-expressed transporter is enough for efflux-mediated resistance.

Outputs
-------
``results/resistance/panel.tsv``: one row per genotype contrast and piece of
evidence, in contrast order and :data:`PANEL` order.

* ``contrast``, ``mechanism``.
* ``evidence``: gene symbol or gene-set name.
* ``evidence_type``: ``gene`` or ``gene set``.
* ``expected``: ``up`` or ``down``, the direction that supports the mechanism.
* ``gene_id``: the gene used (empty for sets and absent genes).
* ``log2FoldChange``: the gene's effect size; for a set, the mean effect size of its
  genes in the DE table (an easy-to-read magnitude; the call uses the NES).
* ``padj``: the gene's adjusted p-value; for a set, its GSEA FDR.
* ``score``: for a set, its NES; empty for genes.
* ``call``: ``supports``, ``against`` or ``no evidence``.

``results/resistance/mechanisms.tsv``: one row per genotype contrast and mechanism.
Columns ``contrast``, ``mechanism``, ``call`` and ``rationale``, the latter being every
piece of evidence with its numbers and call, ``;``-separated.

``results/multiqc/custom/resistance_panel_mqc.tsv``: MultiQC table (section id
``resistance_panel``) of the panel, with each mechanism's call next to its evidence.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from drugsig.analysis.genesets import GeneSet, load_gene_sets, read_result
from drugsig.io import write_table_atomic, write_text_atomic
from drugsig.report.multiqc import column, custom_content
from drugsig.tables import (
    effect_size,
    load_contrast_tables,
    match_contrast_files,
    read_contrasts,
)

SUPPORTS, AGAINST, NO_EVIDENCE = "supports", "against", "no evidence"
PANEL_COLUMNS = [
    "contrast",
    "mechanism",
    "evidence",
    "evidence_type",
    "expected",
    "gene_id",
    "log2FoldChange",
    "padj",
    "score",
    "call",
]
MECHANISM_COLUMNS = ["contrast", "mechanism", "call", "rationale"]


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for a resistance mechanism.

    Attributes
    ----------
    mechanism
        The mechanism it bears on.
    name
        Gene symbol or gene-set name.
    kind
        ``"gene"`` or ``"gene set"``.
    up
        Whether an increase (``True``) or a decrease supports the mechanism.
    """

    mechanism: str
    name: str
    kind: Literal["gene", "gene set"]
    up: bool


PANEL: tuple[Evidence, ...] = (
    Evidence("RB1 loss", "RB1", "gene", up=False),
    Evidence("CCNE1/CDK2 up", "CCNE1", "gene", up=True),
    Evidence("CCNE1/CDK2 up", "CDK2", "gene", up=True),
    Evidence("ABC efflux (ABCB1/ABCG2) up", "ABCB1", "gene", up=True),
    Evidence("ABC efflux (ABCB1/ABCG2) up", "ABCG2", "gene", up=True),
    Evidence("PI3K/AKT/mTOR activation", "PI3K_AKT_MTOR_SIGNALING", "gene set", up=True),
    Evidence("RAS/MEK/ERK activation", "RAS_MEK_ERK_SIGNALING", "gene set", up=True),
    Evidence("NTRK1/NGF", "NTRK1", "gene", up=True),
    Evidence("NTRK1/NGF", "NGF", "gene", up=True),
)


def _call(value: float, significant: bool, threshold: float, up: bool) -> str:
    """Call from a signed value: past ``threshold`` in the expected direction or against it."""
    if not significant or math.isnan(value):
        return NO_EVIDENCE
    signed = value if up else -value
    if signed > 0 and signed >= threshold:
        return SUPPORTS
    if signed < 0 and -signed >= threshold:
        return AGAINST
    return NO_EVIDENCE


def _gene_row(
    evidence: Evidence, table: pd.DataFrame, padj: float, min_abs_log2fc: float
) -> dict[str, Any]:
    genes = table[table["gene_name"].str.upper() == evidence.name.upper()]
    genes = genes.sort_values(["padj", "gene_id"], na_position="last")
    if genes.empty:
        return {"log2FoldChange": np.nan, "padj": np.nan, "call": NO_EVIDENCE}
    effect = float(effect_size(genes).iloc[0])
    gene_padj = float(genes["padj"].iloc[0])
    return {
        "gene_id": genes["gene_id"].iloc[0],
        "log2FoldChange": effect,
        "padj": gene_padj,
        "call": _call(effect, gene_padj < padj, min_abs_log2fc, evidence.up),
    }


def _set_row(
    evidence: Evidence,
    table: pd.DataFrame,
    enrichment: pd.DataFrame,
    gene_set: GeneSet | None,
    resistance_cfg: Mapping[str, Any],
) -> dict[str, Any]:
    members = {gene.upper() for gene in gene_set.genes} if gene_set else set()
    in_set = table[table["gene_name"].str.upper().isin(members)]
    effects = effect_size(in_set)
    mean = float(effects.mean()) if len(in_set) else np.nan
    result = enrichment[enrichment["set"] == evidence.name]
    if result.empty:
        return {"log2FoldChange": mean, "padj": np.nan, "call": NO_EVIDENCE}
    fdr, nes = float(result["fdr"].iloc[0]), float(result["nes"].iloc[0])
    significant_genes = effects[
        (in_set["padj"] < resistance_cfg["padj"])
        & (effects.abs() >= resistance_cfg["min_abs_log2fc"])
        & (np.sign(effects) == np.sign(nes))
    ]
    corroborated = fdr < resistance_cfg["set_fdr"] and len(significant_genes) > 0
    return {
        "log2FoldChange": mean,
        "padj": fdr,
        "score": nes,
        "call": _call(nes, corroborated, 0.0, evidence.up),
    }


def panel(
    tables: Mapping[str, pd.DataFrame],
    enrichment: Mapping[str, pd.DataFrame],
    gene_sets: Sequence[GeneSet],
    resistance_cfg: Mapping[str, Any],
) -> pd.DataFrame:
    """Collect the evidence panel of each genotype contrast.

    Parameters
    ----------
    tables
        ``{genotype contrast: DE table}``, in contrast order.
    enrichment
        ``{genotype contrast: gene-set table}`` (see :mod:`drugsig.analysis.genesets`).
    gene_sets
        The gene sets (for the mean effect size of a set's genes).
    resistance_cfg
        The validated ``resistance`` config section (``padj``, ``min_abs_log2fc``,
        ``set_fdr``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PANEL_COLUMNS`.
    """
    sets = {gene_set.name: gene_set for gene_set in gene_sets}
    rows = []
    for name, table in tables.items():
        for evidence in PANEL:
            row: dict[str, Any] = {
                "contrast": name,
                "mechanism": evidence.mechanism,
                "evidence": evidence.name,
                "evidence_type": evidence.kind,
                "expected": "up" if evidence.up else "down",
            }
            if evidence.kind == "gene":
                padj, min_abs_log2fc = resistance_cfg["padj"], resistance_cfg["min_abs_log2fc"]
                row |= _gene_row(evidence, table, padj, min_abs_log2fc)
            else:
                gene_set = sets.get(evidence.name)
                row |= _set_row(evidence, table, enrichment[name], gene_set, resistance_cfg)
            rows.append(row)
    return pd.DataFrame(rows, columns=PANEL_COLUMNS)


def _describe(row: pd.Series) -> str:
    """One piece of evidence with its numbers, for the rationale."""
    if row["evidence_type"] == "gene":
        if pd.isna(row["log2FoldChange"]):
            return f"{row['evidence']}: not in the DE table ({row['call']})"
        return (
            f"{row['evidence']} log2FC {row['log2FoldChange']:.2f}, padj {row['padj']:.2g} "
            f"({row['call']})"
        )
    if pd.isna(row["score"]):
        return f"{row['evidence']}: not tested, too few genes ({row['call']})"
    return f"{row['evidence']} NES {row['score']:.2f}, FDR {row['padj']:.2g} ({row['call']})"


def mechanisms(evidence: pd.DataFrame) -> pd.DataFrame:
    """Mechanism-level calls from the evidence panel (strongest evidence wins).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MECHANISM_COLUMNS`, in panel order.
    """
    rows = []
    for (contrast, mechanism), pieces in evidence.groupby(["contrast", "mechanism"], sort=False):
        calls = set(pieces["call"])
        call = SUPPORTS if SUPPORTS in calls else AGAINST if AGAINST in calls else NO_EVIDENCE
        rows.append(
            {
                "contrast": contrast,
                "mechanism": mechanism,
                "call": call,
                "rationale": "; ".join(_describe(row) for _, row in pieces.iterrows()),
            }
        )
    return pd.DataFrame(rows, columns=MECHANISM_COLUMNS)


def _report_config(resistance_cfg: Mapping[str, Any]) -> dict[str, Any]:
    number = {"format": "{:,.2f}"}
    return {
        "id": "resistance_panel",
        "section_name": "Resistance mechanisms",
        "description": (
            "Known resistance mechanisms checked in every resistant-vs-parental contrast. "
            f"Genes support a mechanism at padj < {resistance_cfg['padj']:g} and |log2FC| >= "
            f"{resistance_cfg['min_abs_log2fc']:g} in the expected direction (against: the "
            f"opposite direction); gene sets at GSEA FDR < {resistance_cfg['set_fdr']:g} with "
            "the expected NES sign and at least one of their genes significant that way. A "
            "mechanism is supported when any of its evidence is. "
            "Tables: results/resistance/panel.tsv and mechanisms.tsv."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "resistance_panel_table",
            "title": "drugsig: resistance mechanisms",
            "col1_header": "Contrast: evidence",
            "sort_rows": False,
            "no_violin": True,
        },
        "headers": {
            "mechanism": column("Mechanism", "resistance mechanism"),
            "mechanism_call": column("Mechanism call", "strongest call of its evidence"),
            "expected": column("Expected", "direction that supports the mechanism"),
            "log2FoldChange": column(
                "log2FC", "gene: log2 fold change; set: mean over its genes", **number
            ),
            "padj": column("padj / FDR", "gene: adjusted p-value; set: GSEA FDR", format="{:.2g}"),
            "score": column("NES", "gene sets: normalized enrichment score", **number),
            "call": column("Call", "supports, against or no evidence"),
        },
    }


def report_table(evidence: pd.DataFrame, calls: pd.DataFrame) -> pd.DataFrame:
    """Join the panel with each mechanism's call, one row per ``contrast: evidence``."""
    merged = evidence.merge(
        calls[["contrast", "mechanism", "call"]].rename(columns={"call": "mechanism_call"}),
        on=["contrast", "mechanism"],
    )
    labels = (merged["contrast"] + ": " + merged["evidence"]).rename("evidence")
    columns = ["mechanism", "mechanism_call", "expected", "log2FoldChange", "padj", "score", "call"]
    return merged[columns].set_axis(labels)


def write_resistance(
    tables: Sequence[str | Path],
    enrichment: Sequence[str | Path],
    contrasts: str | Path,
    gmt: Sequence[str | Path],
    resistance_cfg: Mapping[str, Any],
    panel_out: str | Path,
    mechanisms_out: str | Path,
    report_out: str | Path,
) -> None:
    """Write the resistance panel, the mechanism calls and their MultiQC table.

    Parameters
    ----------
    tables
        The DE tables (``results/de/{contrast}.tsv``), in contrast order.
    enrichment
        The gene-set tables (``results/genesets/{contrast}.tsv``), in contrast order.
    contrasts
        ``results/de/contrasts.tsv``.
    gmt
        The GMT files the gene-set step used.
    resistance_cfg
        The validated ``resistance`` config section.
    panel_out, mechanisms_out, report_out
        Output paths (see the module docstring).
    """
    described = read_contrasts(contrasts)
    names = list(described["name"])
    genotype = list(described.loc[described["kind"] == "genotype", "name"])
    if not genotype:
        warnings.warn(
            "no genotype contrast (resistant vs parental): the resistance panel is empty.",
            stacklevel=2,
        )
    _, de_tables = load_contrast_tables(contrasts, tables, only=genotype)
    set_paths = match_contrast_files(enrichment, names)
    evidence = panel(
        de_tables,
        {name: read_result(set_paths[name]) for name in genotype},
        load_gene_sets(gmt),
        resistance_cfg,
    )
    calls = mechanisms(evidence)
    write_table_atomic(evidence, panel_out)
    write_table_atomic(calls, mechanisms_out)
    config = _report_config(resistance_cfg)
    write_text_atomic(custom_content(config, report_table(evidence, calls), index=True), report_out)
