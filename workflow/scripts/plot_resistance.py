"""Snakemake adapter: resistance-mechanism panel plot."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.report.plots.summaries import write_resistance_plot

write_resistance_plot(panel=snakemake.input.panel, plots=snakemake.output.plots)
