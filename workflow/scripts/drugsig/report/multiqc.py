"""The one writer of MultiQC custom content, in the three forms drugsig uses.

See https://docs.seqera.io/multiqc/custom_content.

* TSV (``*_mqc.tsv``, :func:`custom_content`): a ``#``-commented YAML header (``id``,
  ``section_name``, ``description``, ``plot_type``, ``pconfig``, ``headers``) and
  tab-separated data; tables and heatmaps.
* JSON (``*_mqc.json``, :func:`write_mqc_table`, :func:`write_mqc_image`): sections
  of one :class:`ReportGroup` appear together under one heading in the report;
  :func:`write_mqc_scatter`: a native, interactive scatter plot (hover a point for its
  name), optionally with several datasets behind switch buttons.
* HTML (``*_mqc.html``, :func:`html_section`): an HTML comment holding the YAML
  section config, then the HTML body (embedded images, :func:`embedded_png`).

:func:`column` and :data:`DIVERGING_COLOR_STOPS` are the shared pieces of section
configs.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from matplotlib.figure import Figure
from PIL import Image

from drugsig.io import write_bytes_atomic

# Diverging blue-white-red (ColorBrewer RdBu), white at 0 (heatmaps of log2 fold changes
# or enrichment scores on a symmetric scale).
DIVERGING_COLOR_STOPS = [
    [0, "#2166ac"],
    [0.25, "#92c5de"],
    [0.5, "#f7f7f7"],
    [0.75, "#f4a582"],
    [1, "#b2182b"],
]


def column(title: str, description: str, **extra: Any) -> dict[str, Any]:
    """Build the MultiQC settings of one table column.

    Parameters
    ----------
    title
        Column title.
    description
        Tooltip text.
    **extra
        Further MultiQC column settings (``format``, ``min``, ``scale``, ...).

    Returns
    -------
    dict
        The column's ``headers`` entry.
    """
    return {"title": title, "description": description, **extra}


def custom_content(config: Mapping[str, Any], table: pd.DataFrame, index: bool = False) -> str:
    """Render a MultiQC custom content TSV: ``config`` as a commented YAML header, then ``table``.

    Parameters
    ----------
    config
        The section config (``id``, ``section_name``, ``plot_type``, ...).
    table
        The data; floats with three significant digits, NaN as ``nan``.
    index
        Write the table's index as its first column.

    Returns
    -------
    str
        The file's text.
    """
    header = yaml.safe_dump(dict(config), sort_keys=False, width=1000)
    lines = "".join(f"# {line}\n" for line in header.splitlines())
    return lines + table.to_csv(sep="\t", index=index, float_format="%.3g", na_rep="nan")


def compact_png(png: bytes, colours: int = 256) -> bytes:
    """Shrink a plot's PNG for the report: at most ``colours`` colours (a palette PNG).

    Plots have few colours, so this looks the same at a third of the size or less;
    the original is returned when it is not larger (or not an image PIL reads).
    MultiQC keeps a second copy of every embedded image (for its AI summary), so each
    byte saved counts twice.
    """
    try:
        with Image.open(io.BytesIO(png)) as image:
            palette = image.convert("RGB").quantize(colours, method=Image.Quantize.MEDIANCUT)
    except OSError:
        return png
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue() if buffer.tell() < len(png) else png


def embedded_png(png: bytes, alt: str | None = None, style: str = 'width="100%"') -> str:
    """Make an ``<img>`` tag holding a PNG as base64 data (a self-contained report).

    The PNG is made smaller first (:func:`compact_png`).

    Parameters
    ----------
    png
        The image bytes.
    alt
        Alternative text (none when ``None``).
    style
        The tag's size attributes.

    Returns
    -------
    str
        The HTML tag.
    """
    data = base64.b64encode(compact_png(png)).decode("ascii")
    alt_text = "" if alt is None else f' alt="{html.escape(alt)}"'
    return f'<img src="data:image/png;base64,{data}"{alt_text} {style}>'


def html_section(config: Mapping[str, Any], body: str) -> str:
    """Render a MultiQC custom-content HTML file: the YAML config in a comment, then ``body``.

    Parameters
    ----------
    config
        The section config (``id``, ``section_name``, ``description``, ``plot_type``).
    body
        The section's HTML.

    Returns
    -------
    str
        The file's text.
    """
    header = yaml.safe_dump(dict(config), sort_keys=False, width=1000, allow_unicode=True)
    return f"<!--\n{header}-->\n{body}\n"


def figure_png(figure: Figure) -> bytes:
    """Render the figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


@dataclass(frozen=True)
class ReportGroup:
    """A MultiQC report module that groups several custom-content sections."""

    id: str
    name: str
    description: str


def write_mqc_image(
    path: str | Path, group: ReportGroup, section: str, description: str, png: bytes
) -> None:
    """Write a MultiQC custom-content JSON (``*_mqc.json``) section showing a PNG."""
    _write_mqc(path, group, section, description, {"plot_type": "html", "data": embedded_png(png)})


def write_mqc_table(
    path: str | Path,
    group: ReportGroup,
    section: str,
    description: str,
    table: pd.DataFrame,
    headers: Mapping[str, Mapping[str, Any]],
    first_column: str,
    row_label: str | None = None,
) -> None:
    """Write a MultiQC custom-content JSON section with a table.

    Parameters
    ----------
    table
        Indexed by the row labels (the table's first column, titled ``first_column``);
        the columns named in ``headers`` are shown, NaN as empty cells.
    headers
        MultiQC column settings (``title``, ``format``, ``suffix``, ...) by column.
    row_label
        What the rows are, plural (``"cell lines"``): the table's subtitle counts them
        ("3 cell lines"). Without it there is no count (MultiQC would call them samples).
    """
    data = {
        str(label): {
            column: value
            for column, value in row.items()
            if column in headers and not (isinstance(value, float) and math.isnan(value))
        }
        for label, row in table.iterrows()
    }
    config = {
        "plot_type": "table",
        "pconfig": {
            "id": f"{Path(path).name.removesuffix('_mqc.json')}_table",
            "col1_header": first_column,
            "sort_rows": False,
            "series_label": row_label or False,
        },
        "headers": {column: dict(settings) for column, settings in headers.items()},
        "data": data,
    }
    _write_mqc(path, group, section, description, config)


#: A scatter point: ``x``, ``y``, ``name`` (the hover label) and optional MultiQC point
#: settings (``color``, ``group``, ``marker_symbol``, ``marker_size``, ...).
ScatterPoint = Mapping[str, Any]


def _scatter_value(value: Any) -> Any:
    """JSON-ready point value: numbers as plain floats with 5 significant digits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(f"{float(value):.5g}")


def write_mqc_scatter(
    path: str | Path,
    section: str,
    description: str,
    datasets: Sequence[Sequence[ScatterPoint]],
    pconfig: Mapping[str, Any],
    data_labels: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Write a MultiQC custom-content JSON section with an interactive scatter plot.

    The section id is the file name without ``_mqc.json``; the plot id is
    ``{section id}_scatter``. Points carry their ``name`` (shown on hover) and
    ``group`` (one legend entry per group, in the order of ``pconfig["groups"]``);
    points whose x or y is missing or not finite are left out. The plot is always
    drawn interactively in the browser (``flat_if_very_large: false``: MultiQC would
    otherwise try a static image export above 2,000 points).

    Parameters
    ----------
    datasets
        The points of each dataset; several datasets get switch buttons labelled by
        ``data_labels`` (``name`` and per-dataset ``xlab``, ``ylab``, ...).
    pconfig
        MultiQC scatter settings (``title``, ``xlab``, ``ylab``, ``groups``,
        ``tt_label``, ``x_lines``, ...); ``showlegend`` defaults to true.
    data_labels
        One entry per dataset when there are several.
    """
    section_id = Path(path).name.removesuffix("_mqc.json")
    data = [
        {
            "points": [
                {key: _scatter_value(value) for key, value in point.items()}
                for point in points
                if all(
                    isinstance(point.get(axis), int | float) and math.isfinite(point[axis])
                    for axis in ("x", "y")
                )
            ]
        }
        for points in datasets
    ]
    config = {
        "id": f"{section_id}_scatter",
        "showlegend": True,
        **pconfig,
        "flat_if_very_large": False,
    }
    if len(datasets) > 1:
        config["data_labels"] = [dict(label) for label in data_labels]
    document = {
        "id": section_id,
        "section_name": section,
        "description": description,
        "plot_type": "scatter",
        "pconfig": config,
        "data": data[0] if len(data) == 1 else data,
    }
    write_bytes_atomic(json.dumps(document, separators=(",", ":")).encode(), path)


def _write_mqc(
    path: str | Path, group: ReportGroup, section: str, description: str, content: dict
) -> None:
    document = {
        "id": Path(path).name.removesuffix("_mqc.json"),
        "parent_id": group.id,
        "parent_name": group.name,
        "parent_description": group.description,
        "section_name": section,
        "description": description,
        **content,
    }
    write_bytes_atomic(json.dumps(document, indent=1).encode(), path)
