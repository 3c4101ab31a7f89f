"""Snakemake adapter: check a sample's raw FASTQ files and run FastQC on them."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.raw_qc import raw_reads_qc

raw_reads_qc(
    sample=snakemake.wildcards.sample,
    units=snakemake.params.units,
    summary=snakemake.output.summary,
    fastqc_dir=snakemake.output.fastqc,
    check=snakemake.params.check,
    fastqc=snakemake.params.fastqc,
    threads=snakemake.threads,
)
