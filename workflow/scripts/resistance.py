"""Snakemake adapter: resistance-mechanism panel of the genotype contrasts."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.analysis.resistance import write_resistance
from drugsig.io import require_files

write_resistance(
    tables=require_files(snakemake.params.de_tables, "deseq2"),
    enrichment=require_files(snakemake.params.geneset_tables, "genesets"),
    contrasts=snakemake.input.contrasts,
    gmt=snakemake.input.gmt,
    resistance_cfg=snakemake.params.resistance,
    panel_out=snakemake.output.panel,
    mechanisms_out=snakemake.output.mechanisms,
    report_out=snakemake.output.mqc,
)
