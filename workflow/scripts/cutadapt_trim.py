"""Snakemake adapter: trim all units of one sample with cutadapt."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.trim import trim_sample

trim_sample(
    sample=snakemake.wildcards.sample,
    units=snakemake.params.units,
    reads_dir=snakemake.output.reads,
    reports_dir=snakemake.output.reports,
    settings=snakemake.params.settings,
    threads=snakemake.threads,
)
