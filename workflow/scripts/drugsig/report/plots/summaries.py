"""Summary views: gene-set enrichment across contrasts and the resistance panel.

Outputs
-------
``results/plots/enrichment.{png,svg}``: dot plot of the pre-ranked GSEA results
(``results/genesets/summary.tsv``), gene sets (rows) by contrasts (columns): colour =
normalised enrichment score (red: the set's genes go up in the treatment, blue:
down), dot size = ``-log10(FDR)``, black ring = ``FDR <`` :data:`FDR`. At most
:data:`MAX_SETS` sets (smallest FDR in any contrast, as in the report heatmap of
:mod:`drugsig.analysis.genesets`), ordered by hierarchical clustering of their NES.

``results/plots/resistance_panel.{png,svg}``: one panel per genotype contrast
(``results/resistance/panel.tsv``): each candidate resistance mechanism with its
call (:func:`drugsig.analysis.resistance.mechanisms`) and, below it, a bar per piece of
evidence: the gene's log2 fold change (for a gene set, the mean of its genes)
coloured by whether it supports the mechanism, argues against it or neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from drugsig.analysis.genesets import read_result, report_matrix
from drugsig.analysis.resistance import AGAINST, NO_EVIDENCE, SUPPORTS, mechanisms
from drugsig.report.plots.style import (
    DIVERGING,
    clustered,
    message_figure,
    new_figure,
    patch_handles,
    save_figure,
)
from drugsig.tables import read_de_table

#: Enrichments with an FDR below this are ringed.
FDR = 0.05
#: At most this many gene sets in the enrichment plot.
MAX_SETS = 40
#: Dot sizes stop growing at this -log10(FDR).
MAX_LOG_FDR = 4.0
#: Gene-set names are cut to this many characters.
MAX_NAME = 45
CALL_COLOURS = {SUPPORTS: "#e66101", AGAINST: "#5e3c99", NO_EVIDENCE: "#bababa"}
#: Columns of resistance panel, at most this many contrasts side by side.
MAX_PANEL_COLUMNS = 3


def _dot_size(fdr: pd.Series | np.ndarray) -> np.ndarray:
    """Marker area for FDR values: grows with -log10(FDR), capped."""
    strength = np.clip(-np.log10(np.clip(np.asarray(fdr, dtype=float), 1e-300, 1)), 0, MAX_LOG_FDR)
    return 10 + 30 * strength


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def enrichment_figure(summary: pd.DataFrame, fdr: float = FDR) -> Figure:
    """Dot plot of NES (colour) and FDR (size, ring) of gene sets by contrasts.

    Parameters
    ----------
    summary
        Tidy GSEA results: ``contrast``, ``set``, ``source``, ``nes``, ``fdr``.
    fdr
        Enrichments with an FDR below this are ringed.
    """
    if summary.empty:
        return message_figure("Gene-set enrichment", "No gene set could be tested.")
    nes = report_matrix(summary, limit=MAX_SETS)
    nes = nes.loc[clustered(nes.fillna(0)).index]  # untested: NES 0 for the clustering
    fdrs = summary.pivot(index="set", columns="contrast", values="fdr").loc[nes.index, nes.columns]
    n_sets, n_contrasts = nes.shape
    rows, columns = np.indices(nes.shape)
    tested = nes.notna().to_numpy()
    limit = max(1.0, float(np.ceil(np.nanmax(np.abs(nes.to_numpy())))))
    ringed = (fdrs < fdr).to_numpy()
    figure = new_figure(float(np.clip(6 + 0.5 * n_contrasts, 8, 18)), 2.8 + 0.25 * n_sets)
    axes = figure.add_subplot()
    dots = axes.scatter(
        columns[tested],
        rows[tested],
        c=nes.to_numpy()[tested],
        s=_dot_size(fdrs.to_numpy()[tested]),
        cmap=DIVERGING,
        vmin=-limit,
        vmax=limit,
        edgecolors=list(np.where(ringed[tested], "#000000", "none")),
        linewidths=1.0,
        zorder=2,
    )
    axes.set_xticks(range(n_contrasts), nes.columns, rotation=40, ha="right")
    axes.set_yticks(range(n_sets), [_short(name) for name in nes.index], fontsize=7)
    axes.set_xlim(-0.6, n_contrasts - 0.4)
    axes.set_ylim(n_sets - 0.5, -0.5)
    axes.grid(color="#eeeeee", zorder=0)
    axes.tick_params(length=0)
    title = "Gene-set enrichment (pre-ranked GSEA)"
    if n_sets < summary["set"].nunique():
        title += f": the {n_sets} of {summary['set'].nunique()} sets with the smallest FDR"
    axes.set_title(title, fontweight="bold")
    colourbar = figure.colorbar(
        dots, ax=axes, shrink=float(np.clip(8 / n_sets, 0.4, 1.0)), pad=0.02
    )
    colourbar.set_label("NES (red: up in treatment)")
    levels = np.array([1, 0.25, 0.05, 0.01, 10**-MAX_LOG_FDR])
    sizes = [
        Line2D(
            [], [], linestyle="", marker="o", color="#777777", markersize=size, label=f"FDR {q:g}"
        )
        for q, size in zip(levels, np.sqrt(_dot_size(levels)), strict=True)
    ]
    sizes.append(
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markerfacecolor="white",
            color="#000000",
            markersize=8,
            label=f"ring: FDR < {fdr:g}",
        )
    )
    figure.legend(handles=sizes, loc="outside right upper", frameon=False, title="significance")
    return figure


def _panel_rows(evidence: pd.DataFrame) -> list[tuple[str, str]]:
    """Plot rows: per mechanism a header row, then its pieces of evidence (panel order)."""
    rows: list[tuple[str, str]] = []
    for mechanism in dict.fromkeys(evidence["mechanism"]):
        rows.append((mechanism, ""))
        pieces = evidence[evidence["mechanism"] == mechanism]
        rows.extend((mechanism, piece) for piece in dict.fromkeys(pieces["evidence"]))
    return rows


def _evidence_label(piece: pd.Series) -> str:
    kind = "gene set, " if piece["evidence_type"] == "gene set" else ""
    return f"{piece['evidence']} ({kind}expected {piece['expected']})"


def _value_note(piece: pd.Series) -> str:
    if piece["evidence_type"] == "gene set":
        if pd.isna(piece["score"]):
            return "not tested"
        return f"NES {piece['score']:.2f}, FDR {piece['padj']:.2g}"
    if pd.isna(piece["log2FoldChange"]):
        return "not in DE table"
    return f"padj {piece['padj']:.2g}"


def _resistance_panel(
    axes: Axes,
    contrast: str,
    evidence: pd.DataFrame,
    calls: pd.Series,
    rows: list[tuple[str, str]],
) -> None:
    """Bars of one contrast's evidence, with each mechanism's call on its header row."""
    pieces = evidence.set_index(["mechanism", "evidence"])
    values = pieces["log2FoldChange"].abs()
    reach = max(1.5, float(values.max()) if values.notna().any() else 0.0) * 1.6
    for y, (mechanism, name) in enumerate(rows):
        if not name:
            call = calls.get(mechanism, NO_EVIDENCE)
            axes.text(
                -reach * 0.97,
                y,
                call,
                color=CALL_COLOURS[call],
                fontweight="bold",
                va="center",
                fontsize=8,
            )
            continue
        piece = pieces.loc[(mechanism, name)]
        value = piece["log2FoldChange"]
        bar = 0.0 if pd.isna(value) else float(value)
        axes.barh(y, bar, color=CALL_COLOURS[piece["call"]], height=0.6, zorder=2)
        axes.annotate(
            _value_note(piece),
            (bar, y),
            xytext=(4 if bar >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if bar >= 0 else "right",
            va="center",
            fontsize=7,
            color="#444444",
        )
    axes.axvline(0, color="#555555", linewidth=0.8, zorder=3)
    axes.set_xlim(-reach, reach)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xlabel("log2 fold change (resistant vs parental)")
    axes.set_title(contrast, fontweight="bold", fontsize=9)
    axes.grid(axis="x", color="#eeeeee", zorder=0)


def resistance_figure(evidence: pd.DataFrame) -> Figure:
    """One bar panel per contrast of the resistance evidence, mechanisms as row groups.

    Parameters
    ----------
    evidence
        The resistance panel (columns :data:`drugsig.analysis.resistance.PANEL_COLUMNS`).
    """
    if evidence.empty:
        return message_figure("Resistance mechanisms", "There are no genotype contrasts.")
    calls = mechanisms(evidence).set_index(["contrast", "mechanism"])["call"]
    rows = _panel_rows(evidence)
    contrasts = list(dict.fromkeys(evidence["contrast"]))
    n_columns = min(len(contrasts), MAX_PANEL_COLUMNS)
    n_rows = -(-len(contrasts) // n_columns)
    height = 0.9 + 0.24 * len(rows)
    figure = new_figure(2.6 + 3.6 * n_columns, 0.6 + height * n_rows)
    grid = figure.add_gridspec(n_rows, n_columns)
    first = evidence.drop_duplicates(["mechanism", "evidence"]).set_index(
        ["mechanism", "evidence"], drop=False
    )
    labels = [
        (_evidence_label(first.loc[(mechanism, name)]) if name else mechanism)
        for mechanism, name in rows
    ]
    for i, contrast in enumerate(contrasts):
        axes = figure.add_subplot(grid[i // n_columns, i % n_columns])
        _resistance_panel(
            axes, contrast, evidence[evidence["contrast"] == contrast], calls.loc[contrast], rows
        )
        axes.set_yticks(range(len(rows)), labels, fontsize=7)
        axes.tick_params(axis="y", length=0, labelleft=i % n_columns == 0)
        for tick, (_, name) in zip(axes.get_yticklabels(), rows, strict=False):
            if not name:
                tick.set_fontweight("bold")
                tick.set_fontsize(8)
    figure.suptitle("Resistance mechanisms: evidence per genotype contrast", fontweight="bold")
    figure.legend(
        handles=patch_handles(CALL_COLOURS),
        title="evidence",
        loc="outside right upper",
        frameon=False,
    )
    return figure


def write_enrichment_plot(summary: str | Path, plots: Sequence[str | Path]) -> None:
    """Plot ``results/genesets/summary.tsv`` to ``plots`` (PNG and SVG paths)."""
    save_figure(enrichment_figure(read_result(summary)), *plots)


def write_resistance_plot(panel: str | Path, plots: Sequence[str | Path]) -> None:
    """Plot ``results/resistance/panel.tsv`` to ``plots`` (PNG and SVG paths)."""
    save_figure(resistance_figure(read_de_table(panel)), *plots)
