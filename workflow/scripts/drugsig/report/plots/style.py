"""Shared plot helpers: figures, colours, capped legends, labels, row order, saving.

Importing this module selects matplotlib's non-interactive Agg backend and sets the
shared style: SVG text is kept as text (searchable, editable in Illustrator/Inkscape)
and SVG ids are deterministic.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy.cluster.hierarchy import leaves_list, linkage

from drugsig.io import write_bytes_atomic

matplotlib.use("Agg")
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "drugsig",
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "legend.fontsize": 8,
        "legend.title_fontsize": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

DPI = 150
#: Signature genes up / down in the treatment, genes that are not (ColorBrewer RdBu).
UP = "#b2182b"
DOWN = "#2166ac"
NOT_SIGNIFICANT = "#bdbdbd"
#: Legend entry and colour standing for every level beyond the cap.
OTHER_COLOUR = "#e0e0e0"
MISSING = "not given"
#: At most this many entries per legend; later levels are pooled as "other".
MAX_LEGEND = 12
#: Okabe-Ito colour-blind safe palette (yellow last: weak on white), then extras.
CONDITION_PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#8C564B",
    "#999933",
    "#882255",
    "#F0E442",
]
#: ColorBrewer Set2: cell lines (distinct from the condition colours).
CELL_LINE_PALETTE = [
    "#66c2a5",
    "#fc8d62",
    "#8da0cb",
    "#e78ac3",
    "#a6d854",
    "#ffd92f",
    "#e5c494",
    "#b3b3b3",
    "#1b9e77",
    "#7570b3",
    "#e7298a",
]
#: Greys: genotypes (parental first in the sheet is usually darkest).
GENOTYPE_PALETTE = [
    "#252525",
    "#969696",
    "#d9d9d9",
    "#636363",
    "#bdbdbd",
    "#000000",
    "#737373",
    "#f0f0f0",
    "#525252",
    "#a3a3a3",
    "#cccccc",
]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "*", "h"]
#: Diverging colour map of fold changes, z-scores and enrichment scores.
DIVERGING = "RdBu_r"


def new_figure(width: float, height: float) -> Figure:
    """Create a figure drawn by the Agg canvas, with constrained layout (no pyplot state)."""
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def message_figure(title: str, message: str) -> Figure:
    """Draw a small figure that says why there is nothing to plot."""
    figure = new_figure(6, 2)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(title)
    axes.text(0.5, 0.5, message, ha="center", va="center", wrap=True, transform=axes.transAxes)
    return figure


def save_figure(figure: Figure, *paths: str | Path) -> None:
    """Save ``figure`` to each path (format from the suffix), each atomically.

    Dates are left out of the metadata so that identical figures give identical files.
    """
    for path in map(Path, paths):
        fmt = path.suffix.lstrip(".").lower()
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {}
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
        write_bytes_atomic(buffer.getvalue(), path)


def clustered(matrix: pd.DataFrame) -> pd.DataFrame:
    """Rows in hierarchical-clustering order, so that similar rows sit together.

    Euclidean distance, average linkage, optimal leaf ordering; fewer than three rows
    are returned unchanged.
    """
    if len(matrix) < 3:
        return matrix
    tree = linkage(matrix.to_numpy(dtype=float), "average", optimal_ordering=True)
    return matrix.iloc[leaves_list(tree)]


def capped_levels(values: pd.Series, cap: int = MAX_LEGEND) -> pd.Series:
    """Values as legend levels: the first ``cap - 1`` levels kept, later ones pooled.

    Levels keep their order of first appearance. Missing values become ``"not
    given"``; with more than ``cap`` levels the later ones become ``"other (n)"``.

    Returns
    -------
    pandas.Series
        Categorical, indexed like ``values``, categories in legend order.
    """
    labels = values.astype(object).where(values.notna(), MISSING).astype(str)
    levels = list(dict.fromkeys(labels))
    if len(levels) > cap:
        kept = levels[: cap - 1]
        other = f"other ({len(levels) - len(kept)})"
        labels = labels.where(labels.isin(kept), other)
        levels = [*kept, other]
    return pd.Series(pd.Categorical(labels, categories=levels), index=values.index)


def level_colours(levels: pd.Series, palette: Sequence[str]) -> dict[str, str]:
    """Colour of each category of ``levels`` (from :func:`capped_levels`)."""
    categories = list(levels.cat.categories)
    return {
        level: OTHER_COLOUR if level.startswith("other (") else palette[i % len(palette)]
        for i, level in enumerate(categories)
    }


def patch_handles(colours: Mapping[str, str]) -> list[Patch]:
    """Legend handles: one coloured square per level."""
    return [
        Patch(facecolor=colour, edgecolor="none", label=level) for level, colour in colours.items()
    ]


def marker_handles(markers: Mapping[str, str]) -> list[Line2D]:
    """Legend handles: one grey marker per level."""
    return [
        Line2D([], [], linestyle="", marker=marker, color="#555555", label=level)
        for level, marker in markers.items()
    ]


def annotation_strips(
    axes: Axes, annotations: Mapping[str, pd.Series], palettes: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, str]]:
    """Draw one coloured strip per annotation (rows) over the samples (columns).

    Parameters
    ----------
    axes
        The axes to draw in (its x axis lines up with the samples).
    annotations
        ``{name: capped levels per sample}`` in strip order, samples in plot order.
    palettes
        ``{name: palette}``.

    Returns
    -------
    dict
        ``{name: {level: colour}}``, for the legends.
    """
    colours = {name: level_colours(levels, palettes[name]) for name, levels in annotations.items()}
    rows = []
    palette: list[str] = []
    for name, levels in annotations.items():
        codes = {level: len(palette) + i for i, level in enumerate(colours[name])}
        palette.extend(colours[name].values())
        rows.append([codes[level] for level in levels.astype(str)])
    axes.imshow(
        np.array(rows),
        aspect="auto",
        interpolation="nearest",
        cmap=ListedColormap(palette),
        vmin=-0.5,
        vmax=len(palette) - 0.5,
    )
    axes.set_yticks(range(len(rows)), [name.replace("_", " ") for name in annotations])
    axes.set_xticks([])
    axes.tick_params(axis="y", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    return colours


def side_legend(figure: Figure, sections: Mapping[str, Sequence[Artist]]) -> None:
    """One legend at the right of the figure: a bold title line, then entries, per section."""
    handles: list[Artist] = []
    titles = []
    for title, entries in sections.items():
        titles.append(len(handles))
        handles.append(Patch(visible=False, label=title.replace("_", " ")))
        handles.extend(entries)
    legend = figure.legend(
        handles=handles, loc="outside right upper", frameon=False, handlelength=1.2
    )
    for index in titles:
        legend.get_texts()[index].set_fontweight("bold")


def _overlap(box: np.ndarray, others: np.ndarray) -> float:
    """Total area shared by ``box`` (x0, y0, x1, y1) and the rows of ``others``."""
    width = np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0])
    height = np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1])
    return float((np.clip(width, 0, None) * np.clip(height, 0, None)).sum())


#: Label offsets in points, nearest first: 12 directions at growing distances.
_OFFSETS = [
    (radius * np.cos(angle), radius * np.sin(angle))
    for radius in (9, 15, 24, 36, 52, 72)
    for angle in np.deg2rad([45, 135, 315, 225, 90, 270, 0, 180, 20, 160, 340, 200])
]


def label_points(
    axes: Axes,
    x: Sequence[float],
    y: Sequence[float],
    labels: Sequence[str],
    colours: Sequence[str] | None = None,
    avoid: tuple[Sequence[float], Sequence[float]] = ((), ()),
) -> None:
    """Label points with leader lines, placing labels so that they do not overlap.

    Each label, in the given order, goes to the first of several offsets around its
    point (12 directions, growing distances) where it stays inside the axes and clear
    of the labels already placed, of the labelled points and of the points ``avoid``
    (x and y data coordinates); failing that, to the offset with the least overlap.
    Call it once the axes limits are final.
    """
    figure = axes.get_figure()
    assert isinstance(figure, Figure), "label_points needs axes of a top-level Figure"
    # Figures come from new_figure, which attaches an Agg canvas (it has get_renderer).
    renderer = cast(FigureCanvasAgg, figure.canvas).get_renderer()
    figure.draw_without_rendering()
    frame = axes.get_window_extent(renderer)
    inside = np.array([[frame.x0, frame.y0, frame.x1, frame.y1]])
    to_display = axes.transData.transform
    points = to_display(np.column_stack([x, y]).reshape(-1, 2))
    obstacles = np.vstack([points, to_display(np.column_stack(avoid).reshape(-1, 2))])
    dots = np.hstack([obstacles - 3, obstacles + 3])
    placed = np.empty((0, 4))
    scale = figure.dpi / 72
    for i, (point, label) in enumerate(zip(points, labels, strict=True)):
        text = axes.annotate(
            label,
            (x[i], y[i]),
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=7,
            color=colours[i] if colours is not None else "#222222",
            ha="center",
            va="center",
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": "#888888", "linewidth": 0.5, "shrinkB": 2},
        )
        text.set_in_layout(False)
        extent = text.get_window_extent(renderer)
        half = np.array([extent.width + 2, extent.height + 2]) / 2
        best, best_cost = _OFFSETS[0], np.inf
        for offset in _OFFSETS:
            centre = point + np.array(offset) * scale
            box = np.concatenate([centre - half, centre + half])
            area = 4 * half[0] * half[1]
            cost = _overlap(box, placed) + _overlap(box, dots) + 10 * (area - _overlap(box, inside))
            if cost < best_cost:
                best, best_cost = offset, cost
            if cost == 0:
                break
        text.xyann = best
        centre = point + np.array(best) * scale
        placed = np.vstack([placed, np.concatenate([centre - half, centre + half])])
