"""Signature views: a heatmap of signature genes across samples, and drug overlaps.

Outputs
-------
``results/plots/signature_heatmap.{png,svg}``: the union of the contrasts' signature
genes (``results/signatures/{contrast}.tsv``), at most :data:`MAX_GENES` of them (the
largest absolute effect size in any contrast first), as row z-scores of the
variance-stabilised counts in every sample. Samples are grouped by cell line, then
condition (sheet order, white lines between groups); genes are ordered by
hierarchical clustering (average linkage) so that co-regulated genes sit together.

``results/plots/signature_overlap.{png,svg}``: per cell line and time point (the
groups of :func:`drugsig.analysis.signatures.treatment_groups`), an UpSet plot of the signature
gene sets of its treatment contrasts (drug vs vehicle), titled with the cell line, and
the time point when the cell line has several (``Cell line A549, 6h``): the bars on top
count the genes in exactly the combination of contrasts marked by the dots below
(at most :data:`MAX_INTERSECTIONS` largest combinations); the bars at the left are
the signature sizes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure, SubFigure

from drugsig.analysis.signatures import treatment_groups
from drugsig.inputs.sheets import load_samples
from drugsig.report.plots.samples import MAX_NAMED_SAMPLES, PALETTES, read_vst, sample_annotations
from drugsig.report.plots.style import (
    DIVERGING,
    DOWN,
    UP,
    annotation_strips,
    clustered,
    message_figure,
    new_figure,
    patch_handles,
    save_figure,
    side_legend,
)
from drugsig.tables import (
    effect_size,
    load_contrast_tables,
)

#: At most this many genes in the heatmap (largest absolute effect size first).
MAX_GENES = 50
#: Heatmap colours saturate at this z-score.
Z_LIMIT = 2.5
#: At most this many gene-set combinations per UpSet plot (largest first).
MAX_INTERSECTIONS = 20
BAR_COLOUR = "#3a3a3a"
DIRECTIONS = ["up", "down", "mixed"]
DIRECTION_COLOURS = [UP, DOWN, "#9e9ac8"]
DIRECTION_LABELS = {
    "up": "up in all",
    "down": "down in all",
    "mixed": "up in some, down in others",
}
ABSENT_DOT = "#dddddd"


def strongest_genes(signatures: Mapping[str, pd.DataFrame], n: int = MAX_GENES) -> pd.DataFrame:
    """Select the signature genes of all contrasts, strongest first, at most ``n``.

    Returns
    -------
    pandas.DataFrame
        ``gene_id``, ``gene_name`` (the id where missing), ``strength`` (largest absolute
        effect size over the contrasts).
    """
    genes = pd.concat(signatures.values(), ignore_index=True)
    if genes.empty:
        return pd.DataFrame(columns=["gene_id", "gene_name", "strength"])
    genes["strength"] = effect_size(genes).abs()
    genes["gene_name"] = genes["gene_name"].fillna(genes["gene_id"])
    strongest = genes.groupby("gene_id", as_index=False).agg(
        gene_name=("gene_name", "first"), strength=("strength", "max")
    )
    return strongest.sort_values(["strength", "gene_id"], ascending=[False, True]).head(n)


def row_zscores(matrix: pd.DataFrame) -> pd.DataFrame:
    """Each row centred on its mean and divided by its standard deviation (0 if constant)."""
    centred = matrix.sub(matrix.mean(axis=1), axis=0)
    spread = matrix.std(axis=1, ddof=0).replace(0, np.nan)
    return centred.div(spread, axis=0).fillna(0.0)


def grouped_samples(samples: pd.DataFrame) -> pd.Index:
    """Sample names grouped by cell line, then condition (each in order of first appearance)."""
    keys = [column for column in ("cell_line", "condition") if column in samples]
    codes = [pd.factorize(samples[column].fillna(""))[0] for column in keys]
    return samples.index[np.lexsort(codes[::-1])]


def heatmap_figure(
    zscores: pd.DataFrame,
    samples: pd.DataFrame,
    genotype_column: str,
    n_signature_genes: int,
) -> Figure:
    """Heatmap of signature genes (rows, labelled) by samples (columns, grouped).

    Parameters
    ----------
    zscores
        Row z-scores indexed by gene label, columns the samples in plot order.
    samples
        The samples sheet indexed by sample.
    genotype_column
        The sheet's genotype column (``diffexp.genotype_column``).
    n_signature_genes
        Size of the union of the signatures (for the title).
    """
    n_genes, n_samples = zscores.shape
    sheet = samples.loc[zscores.columns]
    annotations = sample_annotations(sheet, genotype_column)
    width = float(np.clip(4.5 + 0.22 * n_samples, 8, 16))
    height = 1.8 + 0.17 * n_genes + 0.2 * len(annotations)
    figure = new_figure(width, height)
    grid = figure.add_gridspec(
        2, 2, height_ratios=[0.2 * len(annotations), 0.17 * n_genes], width_ratios=[1, 0.02]
    )
    colours = annotation_strips(figure.add_subplot(grid[0, 0]), annotations, PALETTES)
    axes = figure.add_subplot(grid[1, 0])
    image = axes.imshow(
        zscores.to_numpy(),
        cmap=DIVERGING,
        vmin=-Z_LIMIT,
        vmax=Z_LIMIT,
        aspect="auto",
        interpolation="nearest",
    )
    groups = [
        sheet[column].fillna("").to_numpy()
        for column in ("cell_line", "condition")
        if column in sheet
    ]
    changes = np.flatnonzero(np.any([g[1:] != g[:-1] for g in groups], axis=0))
    for position in changes:
        axes.axvline(position + 0.5, color="white", linewidth=1.5)
    axes.set_yticks(range(n_genes), zscores.index, fontsize=7)
    if n_samples <= MAX_NAMED_SAMPLES:
        axes.set_xticks(range(n_samples), zscores.columns, rotation=90, fontsize=7)
    else:
        axes.set_xticks([])
        axes.set_xlabel(f"{n_samples} samples")
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    shown = f"the {n_genes} strongest of " if n_genes < n_signature_genes else ""
    figure.suptitle(
        f"Signature genes ({shown}{n_signature_genes}) across samples", fontweight="bold"
    )
    colourbar = figure.colorbar(image, cax=figure.add_subplot(grid[1, 1]), extend="both")
    colourbar.set_label("z-score of variance-stabilised counts")
    side_legend(figure, {name: patch_handles(levels) for name, levels in colours.items()})
    return figure


def signature_heatmap(
    signatures: Mapping[str, pd.DataFrame],
    vst: pd.DataFrame,
    samples: pd.DataFrame,
    genotype_column: str,
    thresholds: str,
) -> Figure:
    """Draw the signature heatmap figure, or a note when no contrast has signature genes."""
    strongest = strongest_genes(signatures)
    strongest = strongest[strongest["gene_id"].isin(vst.index)]
    if strongest.empty:
        return message_figure("Signature genes", f"No contrast has signature genes ({thresholds}).")
    zscores = row_zscores(vst.loc[strongest["gene_id"], grouped_samples(samples)])
    zscores.index = strongest["gene_name"].where(
        ~strongest["gene_name"].duplicated(keep=False),
        strongest["gene_name"] + " (" + strongest["gene_id"] + ")",
    )
    n_union = pd.concat(signatures.values())["gene_id"].nunique()
    return heatmap_figure(clustered(zscores), samples, genotype_column, n_union)


def treatment_sets(
    signatures: Mapping[str, pd.DataFrame], contrasts: pd.DataFrame
) -> dict[tuple[str, str], dict[str, pd.Series]]:
    """Signature genes of each treatment contrast, grouped by cell line and time point.

    Returns
    -------
    dict
        ``{(cell line, time): {label: direction (up/down) indexed by gene_id}}`` (see
        :func:`drugsig.analysis.signatures.treatment_groups`); labels are the contrast names
        without the ``{cell_line}_`` prefix; the cell line or time is ``""`` when the
        sheet has none.
    """
    groups: dict[tuple[str, str], dict[str, pd.Series]] = {}
    for (line, time), names in treatment_groups(contrasts).items():
        sets = groups.setdefault((line, time), {})
        for name in names:
            label = name.removeprefix(f"{line}_") if line else name
            sets[label] = signatures[name].set_index("gene_id")["direction"]
    return groups


def group_titles(groups: Sequence[tuple[str, str]]) -> list[str]:
    """Panel title of each (cell line, time) group.

    The time is shown only for a cell line with several: ``Cell line SJSA-1``, ``Cell
    line A549, 6h`` (``All samples`` instead of the cell line when the sheet has none).
    """
    times: dict[str, set[str]] = {}
    for line, time in groups:
        times.setdefault(line, set()).add(time)
    titles = []
    for line, time in groups:
        title = f"Cell line {line}" if line else "All samples"
        titles.append(f"{title}, {time}" if time and len(times[line]) > 1 else title)
    return titles


def intersections(sets: Mapping[str, pd.Series], n: int = MAX_INTERSECTIONS) -> pd.DataFrame:
    """Exclusive intersections: genes in exactly each combination of signatures.

    Parameters
    ----------
    sets
        ``{label: direction (up/down) indexed by gene_id}``.
    n
        Keep the ``n`` largest combinations.

    Returns
    -------
    pandas.DataFrame
        One boolean column per set (membership); ``up``, ``down``, ``mixed`` (genes of
        the combination up in all its signatures, down in all, or up in some and down
        in others) and ``size``. Non-empty combinations only, largest first (ties:
        fewer signatures first).
    """
    names = list(sets)
    columns = [*names, *DIRECTIONS, "size"]
    directions = pd.DataFrame(dict(sets), columns=names)
    if directions.empty:  # no signature gene at all: no combination, typed columns
        return pd.DataFrame(
            {**{name: pd.Series(dtype=bool) for name in names},
             **{column: pd.Series(dtype=int) for column in [*DIRECTIONS, "size"]}},
            columns=columns,
        )  # fmt: skip
    members = directions.notna()
    degree = members.sum(axis=1)
    consensus = np.select(
        [(directions == "up").sum(axis=1) == degree, (directions == "down").sum(axis=1) == degree],
        ["up", "down"],
        "mixed",
    )
    combos = (
        members.assign(direction=consensus)
        .groupby(names)["direction"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=DIRECTIONS, fill_value=0)
        .reset_index()
    )
    combos["size"] = combos[DIRECTIONS].sum(axis=1)
    combos["degree"] = combos[names].sum(axis=1)
    combos = combos.sort_values(["size", "degree"], ascending=[False, True], kind="stable")
    return combos[columns].head(n).reset_index(drop=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _upset(panel: Figure | SubFigure, title: str, sets: Mapping[str, pd.Series]) -> None:
    """One UpSet plot (set sizes, intersection sizes, membership dots) in ``panel``."""
    combos = intersections(sets)
    names = list(sets)
    grid = panel.add_gridspec(
        2,
        2,
        height_ratios=[2, 0.32 * len(names) + 0.2],
        width_ratios=[1.2, max(3, 0.45 * len(combos))],
    )
    bars = panel.add_subplot(grid[0, 1])
    dots = panel.add_subplot(grid[1, 1], sharex=bars)
    sizes = panel.add_subplot(grid[1, 0], sharey=dots)
    x = np.arange(len(combos))
    bottom = np.zeros(len(combos))
    for direction, colour in zip(DIRECTIONS, DIRECTION_COLOURS, strict=True):
        bars.bar(
            x,
            combos[direction],
            bottom=bottom,
            color=colour,
            width=0.6,
            label=DIRECTION_LABELS[direction],
        )
        bottom += combos[direction].to_numpy()
    for position, size in zip(x, combos["size"], strict=True):
        bars.annotate(
            f"{size}",
            (position, size),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )
    bars.set_ylabel("genes in exactly\nthese signatures")
    bars.tick_params(axis="x", bottom=False, labelbottom=False)
    bars.set_title(
        f"{title}: {_count(len(names), 'treatment signature')}, "
        f"{_count(len(pd.DataFrame(dict(sets))), 'gene')}",
        loc="left",
        fontweight="bold",
    )
    bars.set_ylim(0, max([*combos["size"], 1]) * 1.15)  # 1 when no gene
    key = panel.add_subplot(grid[0, 0])
    key.set_axis_off()
    key.legend(*bars.get_legend_handles_labels(), title="direction", loc="center", frameon=False)
    rows = np.arange(len(names))[::-1]
    for position, combo in zip(x, combos[names].to_numpy(dtype=bool), strict=True):
        dots.scatter(
            [position] * len(names),
            rows,
            s=40,
            c=[BAR_COLOUR if member else ABSENT_DOT for member in combo],
            zorder=2,
        )
        if combo.sum() > 1:
            dots.plot(
                [position] * 2,
                [rows[combo].min(), rows[combo].max()],
                color=BAR_COLOUR,
                linewidth=1.5,
                zorder=1,
            )
    dots.set_yticks(rows, names)
    dots.set_xticks([])
    dots.set_ylim(-0.6, len(names) - 0.4)
    dots.set_xlim(-0.6, max(len(combos), 1) - 0.4)
    for spine in dots.spines.values():
        spine.set_visible(False)
    dots.tick_params(axis="y", length=0)
    set_sizes = [len(sets[name]) for name in names]
    sizes.barh(rows, set_sizes, color="#8c8c8c", height=0.5)
    for row, size in zip(rows, set_sizes, strict=True):
        sizes.annotate(
            f"{size}",
            (size, row),
            xytext=(-2, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=7,
        )
    sizes.invert_xaxis()
    sizes.margins(x=0.25)
    sizes.set_xlabel("signature size")
    sizes.tick_params(axis="y", left=False, labelleft=False)
    sizes.spines["left"].set_visible(False)
    sizes.spines["right"].set_visible(True)


def overlap_figure(groups: Mapping[tuple[str, str], Mapping[str, pd.Series]]) -> Figure:
    """UpSet plots of the treatment signatures, one per cell line and time (stacked)."""
    if not groups:
        return message_figure("Signature overlap", "There are no treatment contrasts.")
    heights = [2.8 + 0.32 * len(sets) for sets in groups.values()]
    widest = max(len(intersections(sets)) for sets in groups.values())
    figure = new_figure(float(np.clip(4.5 + 0.45 * widest, 8, 15)), sum(heights))
    panels = figure.subfigures(len(groups), 1, height_ratios=heights, squeeze=False)[:, 0]
    for panel, title, sets in zip(panels, group_titles(list(groups)), groups.values(), strict=True):
        _upset(panel, title, sets)
    return figure


def write_signature_plots(
    signature_tables: Sequence[str | Path],
    contrasts: str | Path,
    vst_table: str | Path,
    samples: str | Path,
    signatures_cfg: Mapping[str, Any],
    genotype_column: str,
    heatmap_plots: Sequence[str | Path],
    overlap_plots: Sequence[str | Path],
) -> None:
    """Write the signature heatmap and the signature overlap plots.

    Parameters
    ----------
    signature_tables
        ``results/signatures/{contrast}.tsv``, in contrast order.
    contrasts
        ``results/de/contrasts.tsv``.
    vst_table
        ``results/plots/vst_counts.tsv`` (:mod:`drugsig.report.plots.samples`).
    samples
        The samples sheet.
    signatures_cfg
        The validated ``signatures`` config section (thresholds, for the notes).
    genotype_column
        ``diffexp.genotype_column``.
    heatmap_plots, overlap_plots
        Output paths (PNG and SVG; format from the suffix).
    """
    described, signatures = load_contrast_tables(contrasts, signature_tables)
    thresholds = (
        f"padj < {signatures_cfg['padj']:g} and |log2FC| >= {signatures_cfg['min_abs_log2fc']:g}"
    )
    heatmap = signature_heatmap(
        signatures, read_vst(vst_table), load_samples(samples), genotype_column, thresholds
    )
    save_figure(heatmap, *heatmap_plots)
    save_figure(overlap_figure(treatment_sets(signatures, described)), *overlap_plots)
