"""Snakemake adapter: infer strandedness and count one sample's reads per gene."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w")
logging.captureWarnings(True)

from drugsig.quantify import count_sample

count_sample(
    sample=snakemake.wildcards.sample,
    bam=snakemake.input.bam,
    gtf=snakemake.input.gtf,
    declared=snakemake.params.declared,
    paired=snakemake.params.paired,
    threads=snakemake.threads,
    counts=snakemake.output.counts,
    strandedness=snakemake.output.strandedness,
    extra=snakemake.params.extra,
)
