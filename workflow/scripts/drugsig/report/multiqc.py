"""MultiQC custom content as JSON (``*_mqc.json``): tables and images in report groups.

See https://docs.seqera.io/multiqc/custom_content. Sections of one
:class:`ReportGroup` appear together under one heading in the report.
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from drugsig.io import write_bytes_atomic


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
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
    image = base64.b64encode(png).decode("ascii")
    _write_mqc(
        path,
        group,
        section,
        description,
        {"plot_type": "html", "data": f'<img src="data:image/png;base64,{image}" width="100%">'},
    )


def write_mqc_table(
    path: str | Path,
    group: ReportGroup,
    section: str,
    description: str,
    table: pd.DataFrame,
    headers: Mapping[str, Mapping[str, Any]],
    first_column: str,
) -> None:
    """Write a MultiQC custom-content JSON section with a table.

    Parameters
    ----------
    table
        Indexed by the row labels (the table's first column, titled ``first_column``);
        the columns named in ``headers`` are shown, NaN as empty cells.
    headers
        MultiQC column settings (``title``, ``format``, ``suffix``, ...) by column.
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
        },
        "headers": {column: dict(settings) for column, settings in headers.items()},
        "data": data,
    }
    _write_mqc(path, group, section, description, config)


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
