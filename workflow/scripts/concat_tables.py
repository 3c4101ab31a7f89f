"""Snakemake adapter: concatenate TSV tables with the same columns into one."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.io import concat_tables

concat_tables(snakemake.input, snakemake.output[0])
