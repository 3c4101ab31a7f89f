"""Snakemake adapter: check the raw FASTQ files of a chunk of samples."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.reads.raw_check import check_samples

check_samples(
    units_by_sample=snakemake.params.units,
    summary=snakemake.output[0],
    threads=snakemake.threads,
)
