"""Snakemake adapter: per-contrast signatures, cross-drug table and marker panel."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.analysis.signatures import write_signatures
from drugsig.io import require_files

write_signatures(
    tables=require_files(snakemake.params.de_tables, "deseq2"),
    contrasts=snakemake.input.contrasts,
    signatures_cfg=snakemake.params.signatures,
    signature_tables=snakemake.output.tables,
    cross_drug_table=snakemake.output.cross_drug,
    marker_panel_table=snakemake.output.marker_panel,
)
