"""Snakemake adapter: MultiQC custom content (DE summary, marker-gene heatmap)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.io import require_files
from drugsig.report.tables import write_report_tables

write_report_tables(
    tables=require_files(snakemake.params.de_tables, "deseq2"),
    contrasts=snakemake.input.contrasts,
    marker_panel=snakemake.input.marker_panel,
    signatures_cfg=snakemake.params.signatures,
    de_summary_out=snakemake.output.de_summary,
    marker_panel_out=snakemake.output.marker_panel,
    de_summary_table=snakemake.output.de_summary_table,
)
