"""Snakemake adapter: build the STAR index."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.reads.align.star import build_index

build_index(
    fasta=snakemake.input.fasta,
    fai=snakemake.input.fai,
    gtf=snakemake.input.gtf,
    outdir=snakemake.output[0],
    memory_budget_mb=snakemake.params.memory_budget_mb,
    threads=snakemake.threads,
    extra=snakemake.params.extra,
)
