"""Sample-level views: variance-stabilised counts, PCA and sample-to-sample distances.

Counts are variance-stabilised with pydeseq2's VST fitted without the design
(``DeseqDataSet(design="~1").vst(use_design=False)``, the equivalent of DESeq2's
``vst(blind=TRUE)``): size factors, then dispersions against the mean fitted over all
samples, so that the transformation knows nothing of the conditions it is used to
compare.

Outputs
-------
``results/plots/vst_counts.tsv``: ``gene_id``, ``gene_name`` and the VST value (log2
scale) of every gene in every sample.

``results/plots/pca.{png,svg}``: PCA of the samples over the :data:`N_TOP` genes with
the most variable VST values (as DESeq2's ``plotPCA``), coloured by condition, shaped
by cell line (and genotype), with the percentage of variance of each axis.

``results/plots/sample_distances.{png,svg}``: Euclidean distances between the samples'
VST profiles (all genes), ordered by hierarchical clustering (complete linkage), with
condition / cell line / genotype strips.

``results/multiqc/custom/plot_pca_mqc.json``: the same PCA as an interactive MultiQC
scatter plot (:func:`write_pca_section`): hover a point for its sample; colour =
condition, symbol = cell line (and genotype), one legend entry per combination.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from pydeseq2.dds import DeseqDataSet
from pydeseq2.default_inference import DefaultInference
from scipy.cluster.hierarchy import dendrogram, leaves_list, linkage
from scipy.spatial.distance import pdist, squareform

from drugsig.inputs.sheets import load_samples
from drugsig.io import write_table_atomic
from drugsig.report.multiqc import write_mqc_scatter
from drugsig.report.plots.style import (
    CELL_LINE_PALETTE,
    CONDITION_PALETTE,
    GENOTYPE_PALETTE,
    MARKERS,
    MISSING,
    annotation_strips,
    capped_levels,
    label_points,
    level_colours,
    marker_handles,
    new_figure,
    patch_handles,
    save_figure,
    side_legend,
)
from drugsig.tables import GENE_COLUMNS, read_counts

#: Genes used by the PCA: the most variable ones (DESeq2 ``plotPCA`` default).
N_TOP = 500
#: Sample names are written on the plots up to this many samples.
MAX_NAMED_SAMPLES = 60
#: PCA points are labelled with their sample names up to this many samples.
MAX_LABELLED_POINTS = 24
#: Plotly symbol of each matplotlib marker of :data:`MARKERS` (interactive PCA).
PLOTLY_SYMBOLS = {
    "o": "circle",
    "s": "square",
    "^": "triangle-up",
    "D": "diamond",
    "v": "triangle-down",
    "P": "cross",
    "X": "x",
    "<": "triangle-left",
    ">": "triangle-right",
    "*": "star",
    "h": "hexagon",
}
PALETTES = {
    "condition": CONDITION_PALETTE,
    "cell_line": CELL_LINE_PALETTE,
    "genotype": GENOTYPE_PALETTE,
}


@dataclass(frozen=True)
class PCAResult:
    """Sample coordinates on the first two principal components.

    Attributes
    ----------
    coordinates
        Indexed by sample; columns ``PC1`` and ``PC2``.
    variance
        Fraction of the variance (of the selected genes) on each of the two axes.
    n_genes
        Number of genes used.
    """

    coordinates: pd.DataFrame
    variance: tuple[float, float]
    n_genes: int


def variance_stabilise(counts: pd.DataFrame, samples: list[str]) -> pd.DataFrame:
    """Design-free VST of a count matrix.

    Parameters
    ----------
    counts
        ``gene_id``, ``gene_name`` and one integer column per sample.
    samples
        The sample columns to use, in output order.

    Returns
    -------
    pandas.DataFrame
        ``gene_id``, ``gene_name`` and one VST column per sample.
    """
    matrix = counts.set_index("gene_id")[samples]
    dds = DeseqDataSet(
        counts=matrix.T,
        metadata=pd.DataFrame(index=samples),
        design="~1",
        inference=DefaultInference(n_cpus=1),
        quiet=True,
    )
    dds.vst(use_design=False)
    values = pd.DataFrame(dds.layers["vst_counts"].T, columns=samples)
    return pd.concat([counts[GENE_COLUMNS].reset_index(drop=True), values], axis=1)


def read_vst(path: str | Path) -> pd.DataFrame:
    """Read ``vst_counts.tsv`` as a genes x samples matrix indexed by ``gene_id``."""
    return read_counts(path).set_index("gene_id").drop(columns="gene_name")


def pca(vst: pd.DataFrame, n_top: int = N_TOP) -> PCAResult:
    """PCA of the samples (columns) over the ``n_top`` most variable genes (rows).

    Genes are centred, not scaled, as in DESeq2's ``plotPCA``. With two samples the
    second axis carries no variance (all zeros).
    """
    values = vst.to_numpy(dtype=float)
    top = np.argsort(-values.var(axis=1), kind="stable")[:n_top]
    matrix = values[top].T
    centred = matrix - matrix.mean(axis=0)
    left, singular, _ = np.linalg.svd(centred, full_matrices=False)
    scores = np.zeros((len(vst.columns), 2))
    n_axes = min(2, len(singular))
    scores[:, :n_axes] = (left * singular)[:, :n_axes]
    power = singular**2
    fractions = np.zeros(2)
    if power.sum() > 0:
        fractions[:n_axes] = power[:n_axes] / power.sum()
    return PCAResult(
        coordinates=pd.DataFrame(scores, index=vst.columns, columns=["PC1", "PC2"]),
        variance=(float(fractions[0]), float(fractions[1])),
        n_genes=len(top),
    )


def sample_distances(vst: pd.DataFrame) -> pd.DataFrame:
    """Euclidean distances between the samples (columns) over all genes (rows)."""
    distances = squareform(pdist(vst.T.to_numpy(dtype=float)))
    return pd.DataFrame(distances, index=vst.columns, columns=vst.columns)


def _varying(samples: pd.DataFrame, genotype_column: str) -> dict[str, str]:
    """``{"cell_line": column, "genotype": column}`` for those that vary between samples."""
    return {
        name: column
        for name, column in (("cell_line", "cell_line"), ("genotype", genotype_column))
        if column in samples and samples[column].nunique() > 1
    }


def sample_annotations(samples: pd.DataFrame, genotype_column: str) -> dict[str, pd.Series]:
    """Condition, cell line and genotype of each sample, as capped legend levels.

    Cell line and genotype are left out when the sheet lacks them or they have a
    single value.
    """
    annotations = {"condition": capped_levels(samples["condition"])}
    for name, column in _varying(samples, genotype_column).items():
        annotations[name] = capped_levels(samples[column])
    return annotations


def _shape_groups(samples: pd.DataFrame, genotype_column: str) -> tuple[pd.Series, str]:
    """Cell line (and genotype) of each sample, capped at one level per marker.

    Returns the levels and the legend title (``""`` when neither column varies).
    """
    columns = _varying(samples, genotype_column)
    if not columns:
        return capped_levels(pd.Series("", index=samples.index)), ""
    labels = samples[list(columns.values())].fillna(MISSING).agg(" ".join, axis=1)
    title = " / ".join(name.replace("_", " ") for name in columns)
    return capped_levels(labels, cap=len(MARKERS)), title


def pca_figure(result: PCAResult, samples: pd.DataFrame, genotype_column: str) -> Figure:
    """Scatter plot of the PCA: colour = condition, marker = cell line (and genotype).

    ``samples`` is the sheet indexed by sample. Points are named when there are at
    most :data:`MAX_LABELLED_POINTS` samples.
    """
    coordinates = result.coordinates
    sheet = samples.loc[coordinates.index]
    conditions = capped_levels(sheet["condition"])
    colours = level_colours(conditions, CONDITION_PALETTE)
    shapes, shape_title = _shape_groups(sheet, genotype_column)
    markers = {level: MARKERS[i] for i, level in enumerate(shapes.cat.categories)}
    n = len(sheet)
    figure = new_figure(7.5, 5.2)
    axes = figure.add_subplot()
    for level, marker in markers.items():
        chosen = (shapes == level).to_numpy()
        axes.scatter(
            coordinates["PC1"][chosen],
            coordinates["PC2"][chosen],
            c=[colours[c] for c in conditions[chosen].astype(str)],
            marker=marker,
            s=float(np.clip(3000 / n, 10, 70)),
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
        )
    first, second = (100 * fraction for fraction in result.variance)
    axes.set_xlabel(f"PC1: {first:.1f}% of variance")
    axes.set_ylabel(f"PC2: {second:.1f}% of variance")
    axes.set_title(
        f"PCA of {n} samples (variance-stabilised counts, {result.n_genes} most variable genes)"
    )
    axes.grid(color="#eeeeee", zorder=0)
    axes.margins(0.12)
    legend: dict[str, Sequence[Artist]] = {"condition": patch_handles(colours)}
    if shape_title:
        legend[shape_title] = marker_handles(markers)
    side_legend(figure, legend)
    if n <= MAX_LABELLED_POINTS:
        label_points(
            axes, list(coordinates["PC1"]), list(coordinates["PC2"]), list(coordinates.index)
        )
    return figure


def pca_description(result: PCAResult) -> str:
    """Describe the PCA for its report section, with the number of genes it used."""
    return (
        "Each point is a sample, placed on the two main axes of variation of its "
        f"expression profile (variance-stabilised counts of the {result.n_genes:,} most "
        "variable genes): replicates should cluster together, and a sample far from its "
        "group may be an outlier or mislabelled. Hover a point for its sample; click a "
        "legend entry to hide its samples. Files: results/plots/pca.png and "
        "results/plots/pca.svg."
    )


def pca_points(
    result: PCAResult, samples: pd.DataFrame, genotype_column: str
) -> tuple[list[dict[str, object]], list[str]]:
    """Make the PCA's points for an interactive plot; return them and the legend groups.

    Colours and symbols are those of :func:`pca_figure` (condition, cell line and
    genotype); a point's group is its condition, followed by its cell line (and
    genotype) in parentheses when these vary.
    """
    coordinates = result.coordinates
    sheet = samples.loc[coordinates.index]
    conditions = capped_levels(sheet["condition"])
    colours = level_colours(conditions, CONDITION_PALETTE)
    shapes, shape_title = _shape_groups(sheet, genotype_column)
    symbols = {level: PLOTLY_SYMBOLS[MARKERS[i]] for i, level in enumerate(shapes.cat.categories)}
    points = []
    for sample, condition, shape in zip(coordinates.index, conditions, shapes, strict=True):
        group = f"{condition} ({shape})" if shape_title else str(condition)
        points.append(
            {
                "x": float(coordinates.loc[sample, "PC1"]),
                "y": float(coordinates.loc[sample, "PC2"]),
                "name": str(sample),
                "color": colours[str(condition)],
                "marker_symbol": symbols[shape],
                "group": group,
            }
        )
    order = {
        (condition, shape): f"{condition} ({shape})" if shape_title else str(condition)
        for condition in conditions.cat.categories
        for shape in shapes.cat.categories
    }
    present = {point["group"] for point in points}
    return points, [group for group in order.values() if group in present]


def write_pca_section(
    result: PCAResult, samples: pd.DataFrame, genotype_column: str, path: str | Path
) -> None:
    """Write the PCA as an interactive MultiQC scatter plot (``plot_pca_mqc.json``)."""
    points, groups = pca_points(result, samples, genotype_column)
    first, second = (100 * fraction for fraction in result.variance)
    write_mqc_scatter(
        path,
        "Sample PCA",
        pca_description(result),
        [points],
        {
            "title": f"drugsig: PCA of {len(points)} samples ({result.n_genes:,} genes)",
            "xlab": f"PC1: {first:.1f}% of variance",
            "ylab": f"PC2: {second:.1f}% of variance",
            "groups": groups,
            "marker_size": 9,
            "tt_label": "<br>PC1: %{x:.2f}<br>PC2: %{y:.2f}",
            "series_label": False,  # the title counts the samples
        },
    )


def distance_figure(distances: pd.DataFrame, annotations: dict[str, pd.Series]) -> Figure:
    """Heatmap of sample distances, clustered, with a dendrogram and annotation strips.

    Parameters
    ----------
    distances
        Square distance matrix (from :func:`sample_distances`).
    annotations
        ``{name: capped levels}`` indexed by sample (from :func:`sample_annotations`).
    """
    n = len(distances)
    tree = linkage(
        squareform(distances.to_numpy(), checks=False), "complete", optimal_ordering=True
    )
    order = distances.index[leaves_list(tree)]
    ordered = distances.loc[order, order]
    named = n <= MAX_NAMED_SAMPLES
    side = float(np.clip(2.5 + 0.16 * n, 5, 11))
    figure = new_figure(side + 3.2, side + 1.2)
    grid = figure.add_gridspec(
        3, 2, height_ratios=[1.2, 0.22 * len(annotations), side], width_ratios=[side, 0.25]
    )
    tree_axes = figure.add_subplot(grid[0, 0])
    dendrogram(
        tree, ax=tree_axes, no_labels=True, color_threshold=0, above_threshold_color="#555555"
    )
    tree_axes.set_axis_off()
    tree_axes.set_title(f"Distances between {n} samples (variance-stabilised counts, all genes)")
    strips = figure.add_subplot(grid[1, 0])
    colours = annotation_strips(
        strips, {name: levels.loc[order] for name, levels in annotations.items()}, PALETTES
    )
    axes = figure.add_subplot(grid[2, 0])
    image = axes.imshow(ordered.to_numpy(), cmap="Blues_r", aspect="auto", interpolation="nearest")
    if named:
        axes.set_xticks(range(n), order, rotation=90, fontsize=7)
        axes.set_yticks(range(n), order, fontsize=7)
    else:
        axes.set_xticks([])
        axes.set_yticks([])
        axes.set_xlabel(f"{n} samples (too many to name; see the tables)")
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    colourbar = figure.colorbar(image, cax=figure.add_subplot(grid[2, 1]))
    colourbar.set_label("Euclidean distance (dark = similar)")
    side_legend(figure, {name: patch_handles(levels) for name, levels in colours.items()})
    return figure


def write_sample_plots(
    counts: str | Path,
    samples: str | Path,
    genotype_column: str,
    vst_table: str | Path,
    pca_plots: Sequence[str | Path],
    distance_plots: Sequence[str | Path],
    pca_section: str | Path | None = None,
) -> None:
    """Variance-stabilise the counts; write the VST table, the PCA and distance plots.

    Parameters
    ----------
    counts
        ``results/counts/counts.tsv``.
    samples
        The samples sheet.
    genotype_column
        The sheet column telling resistant from parental lines (``diffexp.genotype_column``).
    vst_table
        Output path of the VST values.
    pca_plots, distance_plots
        Output paths (PNG and SVG; format from the suffix) of the two plots.
    pca_section
        Output path of the interactive PCA for MultiQC (:func:`write_pca_section`);
        not written when ``None``.
    """
    sheet = load_samples(samples)
    vst = variance_stabilise(read_counts(counts), list(sheet.index))
    write_table_atomic(vst, vst_table)
    matrix = vst.set_index("gene_id").drop(columns="gene_name")
    result = pca(matrix)
    save_figure(pca_figure(result, sheet, genotype_column), *pca_plots)
    if pca_section is not None:
        write_pca_section(result, sheet, genotype_column, pca_section)
    annotations = sample_annotations(sheet, genotype_column)
    save_figure(distance_figure(sample_distances(matrix), annotations), *distance_plots)
