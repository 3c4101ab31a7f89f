"""Snakemake adapter: build the HISAT2 index (splice sites in it when memory allows)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.reads.align.hisat2 import build_index

build_index(
    fasta=snakemake.input.fasta,
    fai=snakemake.input.fai,
    gtf=snakemake.input.gtf,
    outdir=snakemake.output[0],
    memory_budget_mb=snakemake.params.memory_budget_mb,
    threads=snakemake.threads,
    splice_sites_mode=snakemake.params.splice_sites,
    extra=snakemake.params.extra,
)
