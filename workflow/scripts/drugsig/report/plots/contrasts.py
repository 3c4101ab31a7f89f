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

``results/multiqc/custom/plot_volcano_mqc.json``, ``plot_ma_mqc.json``: the same plots
as interactive MultiQC scatter plots (:func:`write_contrast_sections`), one dataset per
contrast behind switch buttons (the first :data:`MAX_REPORT_CONTRASTS`): hover a point
for its gene. Every signature gene and marker gene is drawn; of the other genes at most
:data:`MAX_BACKGROUND_GENES` per plot, evenly spread over their range, so that the
report stays light and quick with tens of thousands of genes.
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
from drugsig.report.multiqc import write_mqc_scatter
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
THRESHOLD_LINE: dict[str, Any] = {
    "color": "#444444",
    "linestyle": "--",
    "linewidth": 0.8,
    "zorder": 1.8,
}
#: The interactive report plots show this many contrasts at most (the first ones).
MAX_REPORT_CONTRASTS = 30
#: ... and at most this many genes per plot that are neither signature nor marker genes.
MAX_BACKGROUND_GENES = 2000
#: Legend of the interactive plots: group name and colour of each call.
REPORT_GROUPS = {
    "up": ("up", UP),
    "down": ("down", DOWN),
    "ns": ("not significant", NOT_SIGNIFICANT),
    "untested": ("no padj", "#d9d9d9"),
}


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
    """Select the rows of the marker genes present in ``table``, in marker order."""
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
    genes, top = _volcano_coordinates(table[table["padj"].notna()], padj)
    calls = classify(genes, padj, min_abs_log2fc)
    underflow = genes["capped"].to_numpy()
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


def _volcano_coordinates(genes: pd.DataFrame, padj: float) -> tuple[pd.DataFrame, float]:
    """Add volcano coordinates to ``genes``; return them and the top of the plot.

    ``x`` is the effect size, ``y`` the -log10 padj; ``capped`` marks the genes whose
    padj underflows to 0, drawn at the top.
    """
    genes = genes.copy()
    genes["x"] = effect_size(genes)
    with np.errstate(divide="ignore"):
        genes["y"] = -np.log10(genes["padj"].to_numpy(dtype=float))
    finite = genes["y"][np.isfinite(genes["y"])]
    top = max(float(finite.max()) if len(finite) else 0.0, -np.log10(padj)) * 1.08 + 0.5
    genes["capped"] = ~np.isfinite(genes["y"])
    genes.loc[genes["capped"], "y"] = top
    return genes, top


def report_genes(
    genes: pd.DataFrame,
    calls: pd.Series,
    markers: Sequence[str],
    order: pd.Series,
    n_background: int = MAX_BACKGROUND_GENES,
) -> pd.Index:
    """Choose the genes an interactive plot shows.

    Every signature and marker gene, and at most ``n_background`` others, evenly
    spaced along ``order`` (so that their spread is kept).
    """
    keep = calls.isin(["up", "down"]) | genes["gene_name"].isin(markers)
    background = order[~keep].sort_values(kind="stable").index
    if len(background) > n_background:
        chosen = np.unique(np.linspace(0, len(background) - 1, n_background).round().astype(int))
        background = background[chosen]
    return genes.index[keep | genes.index.isin(background)]


def _report_points(
    genes: pd.DataFrame, calls: pd.Series, shown: pd.Index, markers: Sequence[str]
) -> list[dict[str, object]]:
    """Make scatter points (``x``, ``y`` columns of ``genes``) named by gene symbol (or id)."""
    names = genes["gene_name"].fillna(genes["gene_id"]).astype(str)
    points = []
    for gene in shown:
        group, colour = REPORT_GROUPS[calls[gene]]
        point: dict[str, object] = {
            "x": genes.at[gene, "x"],
            "y": genes.at[gene, "y"],
            "name": names[gene],
            "color": colour,
            "group": group,
        }
        if "capped" in genes and genes.at[gene, "capped"]:
            point["marker_symbol"] = "triangle-up"
        if names[gene] in markers:
            point["marker_size"] = 8
            point["marker_line_width"] = 1
        points.append(point)
    return points


def volcano_points(
    table: pd.DataFrame, markers: Sequence[str], padj: float, min_abs_log2fc: float
) -> list[dict[str, object]]:
    """Make the points of an interactive volcano plot (genes with a padj)."""
    genes, _ = _volcano_coordinates(table[table["padj"].notna()], padj)
    calls = classify(genes, padj, min_abs_log2fc)
    shown = report_genes(genes, calls, markers, genes["padj"])
    return _report_points(genes, calls, shown, markers)


def ma_points(
    table: pd.DataFrame, markers: Sequence[str], padj: float, min_abs_log2fc: float
) -> list[dict[str, object]]:
    """Make the points of an interactive MA plot (genes with a baseMean > 0)."""
    genes = table[table["baseMean"] > 0].copy()
    calls = classify(genes, padj, min_abs_log2fc)
    genes["x"] = genes["baseMean"]
    genes["y"] = effect_size(genes)
    shown = report_genes(genes, calls, markers, genes["baseMean"])
    return _report_points(genes, calls, shown, markers)


def _dashed(value: float) -> dict[str, object]:
    return {"value": value, "color": "#444444", "dash": "dash", "width": 1}


def _axis_range(
    datasets: Sequence[Sequence[Mapping[str, Any]]], axis: str, minimum: float
) -> float:
    """Return the half-width of a symmetric axis holding every point of every dataset.

    With a margin, so that no point is cut in half at the edge; all contrasts share it.
    """
    values = [abs(float(point[axis])) for points in datasets for point in points]
    return round(1.08 * max([minimum, *(v for v in values if np.isfinite(v))]), 2)


def write_contrast_sections(
    tables: Mapping[str, pd.DataFrame],
    signatures_cfg: Mapping[str, Any],
    volcano_section: str | Path,
    ma_section: str | Path,
    n_contrasts: int | None = None,
) -> None:
    """Write the interactive volcano and MA plots of the MultiQC report.

    Parameters
    ----------
    tables
        ``{contrast: DE table}`` in contrast order; the first
        :data:`MAX_REPORT_CONTRASTS` are shown, one dataset (switch button) each.
    signatures_cfg
        The validated ``signatures`` config section (thresholds, marker genes).
    volcano_section, ma_section
        Output paths (``results/multiqc/custom/plot_{volcano,ma}_mqc.json``).
    n_contrasts
        Number of contrasts of the run, when ``tables`` holds only the first ones.
    """
    markers = list(signatures_cfg["marker_genes"])
    padj, min_abs = signatures_cfg["padj"], signatures_cfg["min_abs_log2fc"]
    thresholds = f"padj < {padj:g} and |log2 fold change| >= {min_abs:g}"
    names = list(tables)[:MAX_REPORT_CONTRASTS]
    total = len(tables) if n_contrasts is None else n_contrasts
    shown = (
        f"all {len(names)} contrasts"
        if len(names) == total
        else f"the first {len(names)} of {total} contrasts"
    )
    common = (
        f"Signature genes ({thresholds}, dashed lines) are red (up) or blue (down); marker "
        "genes (signatures.marker_genes) are drawn larger. Hover a point for its gene, "
        "click a legend entry to hide a group, drag to zoom. Every signature and marker "
        f"gene is drawn, other genes at most {MAX_BACKGROUND_GENES:,} per contrast (evenly "
        f"spread). Buttons switch between {shown}; every contrast's plot is also in "
    )
    groups = [label for label, _ in REPORT_GROUPS.values()]
    labels = [{"name": name} for name in names]
    # diffexp.shrink applies to every contrast: the first one tells
    effect = _effect_label(tables[names[0]]) if names else "log2 fold change"
    volcano = [volcano_points(tables[name], markers, padj, min_abs) for name in names]
    write_mqc_scatter(
        volcano_section,
        "Volcano plots",
        "Each point is a gene: its fold change (treatment vs reference) against its "
        "significance; genes whose padj underflows to 0 are triangles at the top. "
        + common
        + "results/plots/volcano/ (PNG and SVG).",
        volcano,
        {
            "title": "drugsig: volcano plot",
            "xlab": effect,
            "ylab": "-log10 adjusted p-value",
            "groups": groups[:3],
            "series_label": "genes",
            "marker_size": 5,
            "marker_line_width": 0,
            "tt_label": "<br>log2 fold change: %{x:.2f}<br>-log10 padj: %{y:.2f}",
            "x_lines": [_dashed(-min_abs), _dashed(min_abs)],
            "y_lines": [_dashed(float(-np.log10(padj)))],
            "xmin": -_axis_range(volcano, "x", 1.5 * min_abs),
            "xmax": _axis_range(volcano, "x", 1.5 * min_abs),
        },
        labels,
    )
    ma = [ma_points(tables[name], markers, padj, min_abs) for name in names]
    write_mqc_scatter(
        ma_section,
        "MA plots",
        "Each point is a tested gene: its fold change against its mean expression, to "
        "see whether changes depend on expression level; genes without an adjusted "
        "p-value (independent filtering, outliers) are light grey. "
        + common
        + "results/plots/ma/ (PNG and SVG).",
        ma,
        {
            "title": "drugsig: MA plot",
            "xlab": "mean normalised count (baseMean, log scale)",
            "ylab": effect,
            "xlog": True,
            "groups": groups,
            "series_label": "genes",
            "marker_size": 5,
            "marker_line_width": 0,
            "tt_label": "<br>baseMean: %{x:,.0f}<br>log2 fold change: %{y:.2f}",
            "y_lines": [_dashed(-min_abs), _dashed(min_abs)],
            "ymin": -_axis_range(ma, "y", 1.5 * min_abs),
            "ymax": _axis_range(ma, "y", 1.5 * min_abs),
        },
        labels,
    )


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
    volcano_section: str | Path | None = None,
    ma_section: str | Path | None = None,
) -> pd.DataFrame:
    """Write the volcano and MA plots of every contrast and an index of them.

    The plots are those of :func:`write_contrast_plots`; the returned index has columns
    ``contrast, plot, file``.

    ``tables`` are the contrasts' DE tables in the order of ``contrasts``; a plot's
    files are the paths named ``{contrast}{format}`` among ``volcano_plots`` /
    ``ma_plots``. With ``volcano_section`` and ``ma_section``, also the interactive
    plots of the MultiQC report (:func:`write_contrast_sections`).
    """
    by_name = {
        kind: {Path(path).name: str(path) for path in paths}
        for kind, paths in (("volcano", volcano_plots), ("ma", ma_plots))
    }
    rows = []
    report_tables: dict[str, pd.DataFrame] = {}
    for contrast, table in zip(contrasts, require_files(tables, "deseq2"), strict=True):
        files = {
            kind: [paths[f"{contrast}{suffix}"] for suffix in formats]
            for kind, paths in by_name.items()
        }
        write_contrast_plots(table, contrast, signatures_cfg, files["volcano"], files["ma"])
        if len(report_tables) < MAX_REPORT_CONTRASTS:
            report_tables[contrast] = read_de_table(table)
        rows += [
            {"contrast": contrast, "plot": kind, "file": path}
            for kind, paths in files.items()
            for path in paths
        ]
    if volcano_section is not None and ma_section is not None:
        write_contrast_sections(
            report_tables, signatures_cfg, volcano_section, ma_section, len(contrasts)
        )
    table = pd.DataFrame(rows, columns=["contrast", "plot", "file"])
    write_table_atomic(table, index)
    return table
