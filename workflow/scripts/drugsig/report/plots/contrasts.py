"""Per-contrast views of a DE table: volcano and MA plots.

Both plot the effect size of :func:`drugsig.analysis.signatures.effect_size` (the shrunken log2
fold change where there is one) and colour the signature genes (those passing
:func:`drugsig.analysis.signatures.significant`): up-regulated red, down-regulated blue. The
marker genes (``signatures.marker_genes``) are labelled when they are signature genes,
otherwise ringed and listed in the legend (with those missing from the plot); the
thresholds are drawn as dashed lines.

Outputs
-------
``results/plots/volcano/{contrast}.{png,svg}``: effect size against ``-log10(padj)``
for the genes with an adjusted p-value; genes whose ``padj`` underflows to 0 are drawn
as triangles at the top.

``results/plots/ma/{contrast}.{png,svg}``: effect size against the mean normalised
count (``baseMean``, log scale) for every tested gene, including those without an
adjusted p-value (independent filtering, Cook's outliers), drawn in light grey.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from drugsig.io import require_files, write_table_atomic
from drugsig.report.plots.style import (
    DOWN,
    NOT_SIGNIFICANT,
    UP,
    label_points,
    new_figure,
    save_figure,
    side_legend,
)
from drugsig.tables import effect_size, read_de_table, significant

#: Colour of the points of genes without an adjusted p-value (MA plot).
UNTESTED = "#e8e8e8"
# Above the grid (1.5), below the points (2).
THRESHOLD_LINE = {"color": "#444444", "linestyle": "--", "linewidth": 0.8, "zorder": 1.8}


def classify(table: pd.DataFrame, padj: float, min_abs_log2fc: float) -> pd.Series:
    """``up``, ``down`` (signature genes), ``ns`` (tested) or ``untested`` (no padj)."""
    effect = effect_size(table)
    passes = significant(table, padj, min_abs_log2fc)
    calls = np.select(
        [passes & (effect > 0), passes & (effect < 0), table["padj"].notna()],
        ["up", "down", "ns"],
        "untested",
    )
    return pd.Series(calls, index=table.index)


def _thresholds(padj: float, min_abs_log2fc: float) -> str:
    return f"padj < {padj:g} and |log2FC| >= {min_abs_log2fc:g}"


def _effect_label(table: pd.DataFrame) -> str:
    if table["log2FoldChange_shrunk"].notna().any():
        return "log2 fold change (apeGLM-shrunken)"
    return "log2 fold change"


def _markers(table: pd.DataFrame, markers: Sequence[str]) -> pd.DataFrame:
    """The rows of the marker genes present in ``table``, in marker order."""
    chosen = table[table["gene_name"].isin(markers)]
    order = {name: i for i, name in enumerate(dict.fromkeys(markers))}
    return chosen.iloc[np.argsort(chosen["gene_name"].map(order).to_numpy(), kind="stable")]


def _scatter(axes: Axes, x: pd.Series, y: pd.Series, calls: pd.Series, marker: str = "o") -> None:
    """Background genes rasterised (light SVG), signature genes on top as vectors."""
    for call, colour, size, raster in (
        ("untested", UNTESTED, 4, True),
        ("ns", NOT_SIGNIFICANT, 5, True),
        ("down", DOWN, 9, False),
        ("up", UP, 9, False),
    ):
        chosen = (calls == call).to_numpy()
        if chosen.any():
            axes.scatter(
                x[chosen],
                y[chosen],
                s=size,
                c=colour,
                marker=marker,
                linewidths=0,
                rasterized=raster,
                zorder=2,
            )


def _reach(values: pd.Series, minimum: float) -> float:
    """Half-width of a symmetric axis: the largest absolute value, at least ``minimum``."""
    largest = values.abs().max()
    return max(float(largest), minimum) if pd.notna(largest) else minimum


def _wrapped(names: Sequence[str]) -> list[Patch]:
    """Legend lines (no handle) listing ``names``, wrapped at 34 characters."""
    return [Patch(visible=False, label=line) for line in textwrap.wrap(", ".join(names), 34)]


def _annotate(
    figure: Figure,
    axes: Axes,
    genes: pd.DataFrame,
    calls: pd.Series,
    markers: Sequence[str],
    what: str,
    thresholds: str,
) -> None:
    """Legend, and the marker genes: labelled when significant, else ringed and listed.

    ``genes`` holds the plotted genes with their coordinates in columns ``x``, ``y``;
    ``what`` describes them in the legend title (after their number).
    """
    counts = calls.value_counts()
    entries = [
        (UP, f"up ({counts.get('up', 0):,})"),
        (DOWN, f"down ({counts.get('down', 0):,})"),
        (NOT_SIGNIFICANT, f"not significant ({counts.get('ns', 0):,})"),
    ]
    if counts.get("untested", 0):
        entries.append((UNTESTED, f"no padj ({counts['untested']:,})"))
    handles: list[Artist] = [
        Line2D([], [], linestyle="", marker="o", markersize=5, color=colour, label=label)
        for colour, label in entries
    ]
    handles.append(Line2D([], [], label=thresholds, **THRESHOLD_LINE))
    sections: dict[str, list[Artist]] = {f"{len(genes):,} {what}": handles}
    chosen = _markers(genes, markers)
    hit = calls[chosen.index].isin(["up", "down"])
    quiet = chosen[~hit]
    axes.scatter(
        quiet["x"],
        quiet["y"],
        s=22,
        facecolors="none",
        edgecolors="#222222",
        linewidths=0.7,
        zorder=3,
    )
    if len(quiet):
        ring = Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markerfacecolor="none",
            color="#222222",
            label="marker, not significant:",
        )
        sections["marker genes"] = [ring, *_wrapped(list(quiet["gene_name"]))]
    absent = [name for name in dict.fromkeys(markers) if name not in set(genes["gene_name"])]
    if absent:
        sections.setdefault("marker genes", []).extend(
            [Patch(visible=False, label="not in this plot:"), *_wrapped(absent)]
        )
    side_legend(figure, sections)
    signature_genes = genes[calls.isin(["up", "down"])]
    label_points(
        axes,
        list(chosen["x"][hit]),
        list(chosen["y"][hit]),
        list(chosen["gene_name"][hit]),
        avoid=(list(signature_genes["x"]), list(signature_genes["y"])),
    )


def volcano_figure(
    table: pd.DataFrame,
    contrast: str,
    markers: Sequence[str],
    padj: float,
    min_abs_log2fc: float,
) -> Figure:
    """Volcano plot of one DE table: effect size against ``-log10(padj)``."""
    genes = table[table["padj"].notna()].copy()
    calls = classify(genes, padj, min_abs_log2fc)
    genes["x"] = effect_size(genes)
    with np.errstate(divide="ignore"):
        genes["y"] = -np.log10(genes["padj"].to_numpy(dtype=float))
    finite = genes["y"][np.isfinite(genes["y"])]
    top = max(float(finite.max()) if len(finite) else 0.0, -np.log10(padj)) * 1.08 + 0.5
    underflow = ~np.isfinite(genes["y"])
    genes.loc[underflow, "y"] = top
    figure = new_figure(7.5, 5.2)
    axes = figure.add_subplot()
    _scatter(axes, genes["x"][~underflow], genes["y"][~underflow], calls[~underflow])
    _scatter(axes, genes["x"][underflow], genes["y"][underflow], calls[underflow], marker="^")
    axes.axhline(-np.log10(padj), **THRESHOLD_LINE)
    for side in (-1, 1):
        axes.axvline(side * min_abs_log2fc, **THRESHOLD_LINE)
    reach = _reach(genes["x"], 1.5 * min_abs_log2fc)
    axes.set_xlim(-1.08 * reach, 1.08 * reach)
    axes.set_ylim(-0.03 * top, top * 1.04)
    axes.set_xlabel(_effect_label(genes))
    axes.set_ylabel("-log10 adjusted p-value")
    axes.set_title(f"{contrast}: volcano plot", fontweight="bold")
    axes.grid(color="#f0f0f0", zorder=0)
    _annotate(
        figure, axes, genes, calls, markers, "genes with a padj", _thresholds(padj, min_abs_log2fc)
    )
    return figure


def ma_figure(
    table: pd.DataFrame,
    contrast: str,
    markers: Sequence[str],
    padj: float,
    min_abs_log2fc: float,
) -> Figure:
    """MA plot of one DE table: effect size against mean normalised count."""
    genes = table[table["baseMean"] > 0].copy()
    calls = classify(genes, padj, min_abs_log2fc)
    genes["x"] = genes["baseMean"]
    genes["y"] = effect_size(genes)
    figure = new_figure(7.5, 5.2)
    axes = figure.add_subplot()
    _scatter(axes, genes["x"], genes["y"], calls)
    axes.set_xscale("log")
    axes.axhline(0, color="#555555", linewidth=0.8, zorder=1)
    for side in (-1, 1):
        axes.axhline(side * min_abs_log2fc, **THRESHOLD_LINE)
    reach = _reach(genes["y"], 1.5 * min_abs_log2fc)
    axes.set_ylim(-1.08 * reach, 1.08 * reach)
    axes.set_xlabel("mean normalised count (baseMean, log scale)")
    axes.set_ylabel(_effect_label(genes))
    axes.set_title(f"{contrast}: MA plot", fontweight="bold")
    axes.grid(color="#f0f0f0", zorder=0)
    _annotate(
        figure, axes, genes, calls, markers, "tested genes", _thresholds(padj, min_abs_log2fc)
    )
    return figure


def write_contrast_plots(
    table: str | Path,
    contrast: str,
    signatures_cfg: Mapping[str, Any],
    volcano_plots: Sequence[str | Path],
    ma_plots: Sequence[str | Path],
) -> None:
    """Write the volcano and MA plots of one contrast.

    Parameters
    ----------
    table
        ``results/de/{contrast}.tsv``.
    contrast
        The contrast name (plot titles).
    signatures_cfg
        The validated ``signatures`` config section (thresholds, marker genes).
    volcano_plots, ma_plots
        Output paths (PNG and SVG; format from the suffix).
    """
    genes = read_de_table(table)
    arguments = (
        contrast,
        signatures_cfg["marker_genes"],
        signatures_cfg["padj"],
        signatures_cfg["min_abs_log2fc"],
    )
    save_figure(volcano_figure(genes, *arguments), *volcano_plots)
    save_figure(ma_figure(genes, *arguments), *ma_plots)


def write_all_contrast_plots(
    contrasts: Sequence[str],
    tables: Sequence[str | Path],
    volcano_plots: Sequence[str | Path],
    ma_plots: Sequence[str | Path],
    formats: Sequence[str],
    signatures_cfg: Mapping[str, Any],
    index: str | Path,
) -> pd.DataFrame:
    """Write the volcano and MA plots of every contrast (see
    :func:`write_contrast_plots`) and an index of them: ``contrast, plot, file``.

    ``tables`` are the contrasts' DE tables in the order of ``contrasts``; a plot's
    files are the paths named ``{contrast}{format}`` among ``volcano_plots`` /
    ``ma_plots``.
    """
    by_name = {
        kind: {Path(path).name: str(path) for path in paths}
        for kind, paths in (("volcano", volcano_plots), ("ma", ma_plots))
    }
    rows = []
    for contrast, table in zip(contrasts, require_files(tables, "deseq2"), strict=True):
        files = {
            kind: [paths[f"{contrast}{suffix}"] for suffix in formats]
            for kind, paths in by_name.items()
        }
        write_contrast_plots(table, contrast, signatures_cfg, files["volcano"], files["ma"])
        rows += [
            {"contrast": contrast, "plot": kind, "file": path}
            for kind, paths in files.items()
            for path in paths
        ]
    table = pd.DataFrame(rows, columns=["contrast", "plot", "file"])
    write_table_atomic(table, index)
    return table
