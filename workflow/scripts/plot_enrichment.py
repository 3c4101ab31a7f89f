"""Snakemake adapter: gene-set enrichment dot plot."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.report.plots.summaries import write_enrichment_plot

write_enrichment_plot(summary=snakemake.input.summary, plots=snakemake.output.plots)
