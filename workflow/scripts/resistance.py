"""Snakemake adapter: resistance-mechanism panel of the genotype contrasts."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.resistance import write_resistance

write_resistance(
    tables=snakemake.input.tables,
    enrichment=snakemake.input.genesets,
    contrasts=snakemake.input.contrasts,
    gmt=snakemake.input.gmt,
    resistance_cfg=snakemake.params.resistance,
    panel_out=snakemake.output.panel,
    mechanisms_out=snakemake.output.mechanisms,
    report_out=snakemake.output.mqc,
)
