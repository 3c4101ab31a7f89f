"""Snakemake adapter: align all units of a sample with HISAT2 into one sorted BAM."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.hisat2 import ReadUnit, align_sample

align_sample(
    sample=snakemake.wildcards.sample,
    units=[ReadUnit(**unit) for unit in snakemake.params.units],
    index_dir=snakemake.input.index,
    bam=snakemake.output.bam,
    summary=snakemake.output.summary,
    threads=snakemake.threads,
    strandness=snakemake.params.strandness,
    extra=snakemake.params.extra,
)
