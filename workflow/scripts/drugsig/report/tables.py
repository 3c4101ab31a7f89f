"""MultiQC custom content: the DE summary table and the marker-gene heatmap.

Both files are self-describing MultiQC custom content: a ``#``-commented YAML header
(``id``, ``section_name``, ``description``, ``plot_type``, ``pconfig``, ``headers``)
followed by tab-separated data, so MultiQC renders them without extra configuration.

``de_summary_mqc.tsv`` (section "Differential expression", a table), one row per
contrast:

* ``contrast``: contrast name.
* ``kind``, ``cell_line``: from ``contrasts.tsv``.
* ``n_treatment``, ``n_reference``: replicates in the compared groups.
* ``n_tested``: genes with an adjusted p-value (passed the count filter, independent
  filtering and the Cook's outlier check).
* ``n_up``, ``n_down``: signature genes up / down (see :mod:`drugsig.analysis.signatures`).
* ``top_up``, ``top_down``: the strongest signature genes of each direction.

``results/de_summary.tsv``: the same table as plain TSV (for the Snakemake report).

``marker_panel_mqc.tsv`` (section "Marker genes", a heatmap): marker genes (rows) by
contrasts (columns), holding the effect size (shrunken log2 fold change) from
``marker_panel.tsv``; markers missing from every contrast are left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from drugsig.analysis.signatures import signature
from drugsig.io import write_table_atomic, write_text_atomic
from drugsig.report.multiqc import DIVERGING_COLOR_STOPS, column, custom_content
from drugsig.tables import (
    effect_size,
    load_contrast_tables,
    read_de_table,
)

N_TOP = 5
SUMMARY_COLUMNS = [
    "contrast",
    "kind",
    "cell_line",
    "n_treatment",
    "n_reference",
    "n_tested",
    "n_up",
    "n_down",
    "top_up",
    "top_down",
]


def de_summary(
    tables: Mapping[str, pd.DataFrame],
    contrasts: pd.DataFrame,
    padj: float,
    min_abs_log2fc: float,
) -> pd.DataFrame:
    """One row per contrast: replicates, genes tested, signature sizes and top genes.

    Parameters
    ----------
    tables
        ``{contrast name: DE table}``.
    contrasts
        The contrasts table (``contrasts.tsv``).
    padj, min_abs_log2fc
        Signature thresholds.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`, contrasts in ``contrasts`` order.
    """
    rows = []
    for described in contrasts.to_dict("records"):
        table = tables[described["name"]]
        genes = signature(table, padj, min_abs_log2fc)
        genes["label"] = genes["gene_name"].fillna(genes["gene_id"])
        up = genes[genes["direction"] == "up"]
        down = genes[genes["direction"] == "down"]
        rows.append(
            {
                "contrast": described["name"],
                "kind": described["kind"],
                "cell_line": described["cell_line"],
                "n_treatment": int(described["n_treatment"]),
                "n_reference": int(described["n_reference"]),
                "n_tested": int(table["padj"].notna().sum()),
                "n_up": len(up),
                "n_down": len(down),
                "top_up": ", ".join(up["label"].head(N_TOP)),
                "top_down": ", ".join(down["label"].head(N_TOP)),
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def marker_matrix(panel: pd.DataFrame) -> pd.DataFrame:
    """Marker genes by contrasts of effect sizes, from the tidy marker panel.

    Rows are labelled by gene symbol (``symbol (gene_id)`` when a symbol has several
    gene ids) in panel order; markers absent from every contrast are left out.
    """
    present = panel[panel["present"]].copy()
    ids_per_name = present.groupby("gene_name")["gene_id"].transform("nunique")
    present["gene"] = present["gene_name"].where(
        ids_per_name == 1, present["gene_name"] + " (" + present["gene_id"] + ")"
    )
    present["effect"] = effect_size(present)
    matrix = present.pivot(index="gene", columns="contrast", values="effect")
    # reindex, not .loc: with no marker present (e.g. gene ids without symbols) the
    # pivot has no columns, and the matrix is empty rather than an error.
    return matrix.reindex(
        index=list(dict.fromkeys(present["gene"])), columns=list(dict.fromkeys(panel["contrast"]))
    ).rename_axis(index="gene", columns=None)


def _summary_config(padj: float, min_abs_log2fc: float) -> dict[str, Any]:
    thresholds = f"padj < {padj:g} and |log2 fold change| >= {min_abs_log2fc:g}"

    count = {"format": "{:,.0f}", "min": 0}
    return {
        "id": "de_summary",
        "section_name": "Differential expression",
        "description": (
            f"Genes tested per contrast and signature genes ({thresholds}; the fold "
            "change is apeGLM-shrunken when diffexp.shrink is true). Full tables: "
            "results/de and results/signatures."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "de_summary_table",
            "title": "drugsig: differential expression summary",
            "col1_header": "Contrast",
            "sort_rows": False,
            "no_violin": True,
            # the subtitle counts the rows: contrasts, not samples
            "series_label": "contrasts",
        },
        "headers": {
            "kind": column("Kind", "treatment (drug vs vehicle), genotype or explicit"),
            "cell_line": column("Cell line", "cell line of the compared samples"),
            "n_treatment": column("Treated", "replicates in the treatment group", **count),
            "n_reference": column("Reference", "replicates in the reference group", **count),
            "n_tested": column("Tested", "genes with an adjusted p-value", **count),
            "n_up": column("Up", f"signature genes up ({thresholds})", scale="Reds", **count),
            "n_down": column(
                "Down", f"signature genes down ({thresholds})", scale="Blues", **count
            ),
            "top_up": column("Top up", f"the {N_TOP} strongest up-regulated signature genes"),
            "top_down": column("Top down", f"the {N_TOP} strongest down-regulated signature genes"),
        },
    }


def _marker_config(matrix: pd.DataFrame) -> dict[str, Any]:
    values = matrix.abs().max().max()
    limit = math.ceil(values) if pd.notna(values) and values > 0 else 1
    return {
        "id": "marker_panel",
        "section_name": "Marker genes",
        "description": (
            "log2 fold change (apeGLM-shrunken when diffexp.shrink is true) of the marker "
            "genes (signatures.marker_genes) in every contrast. Significance calls: "
            "results/signatures/marker_panel.tsv."
        ),
        "plot_type": "heatmap",
        "pconfig": {
            "id": "marker_panel_heatmap",
            "title": "drugsig: marker gene log2 fold changes",
            "xlab": "contrast",
            "ylab": "gene",
            "zlab": "log2 fold change",
            "min": -limit,
            "max": limit,
            "colstops": DIVERGING_COLOR_STOPS,
            "xcats_samples": False,
            "ycats_samples": False,
            "cluster_rows": False,
            "cluster_cols": False,
            "square": False,
            "display_values": True,
            # the subtitle counts the rows: genes, not samples
            "series_label": "marker genes",
        },
    }


def write_report_tables(
    tables: Sequence[str | Path],
    contrasts: str | Path,
    marker_panel: str | Path,
    signatures_cfg: Mapping[str, Any],
    de_summary_out: str | Path,
    marker_panel_out: str | Path,
    de_summary_table: str | Path | None = None,
) -> None:
    """Write ``de_summary_mqc.tsv`` and ``marker_panel_mqc.tsv``.

    Parameters
    ----------
    tables, contrasts
        The DE tables in contrast order and ``contrasts.tsv``, as read by
        :func:`drugsig.tables.load_contrast_tables`.
    marker_panel
        ``results/signatures/marker_panel.tsv``.
    signatures_cfg
        The validated ``signatures`` config section (thresholds).
    de_summary_out, marker_panel_out
        Output paths.
    de_summary_table
        Output path of the DE summary as plain TSV (not written when ``None``).
    """
    described, de_tables = load_contrast_tables(contrasts, tables)
    thresholds = signatures_cfg["padj"], signatures_cfg["min_abs_log2fc"]
    summary = de_summary(de_tables, described, *thresholds)
    write_text_atomic(custom_content(_summary_config(*thresholds), summary), de_summary_out)
    if de_summary_table is not None:
        write_table_atomic(summary, de_summary_table)
    matrix = marker_matrix(read_de_table(marker_panel))
    write_text_atomic(custom_content(_marker_config(matrix), matrix, index=True), marker_panel_out)
