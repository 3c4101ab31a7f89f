"""Snakemake adapter: merge per-sample featureCounts tables into the count matrix."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.counts.matrix import write_count_matrix

write_count_matrix(
    dict(zip(snakemake.params.samples, snakemake.input.counts, strict=True)),
    snakemake.input.genes,
    snakemake.output[0],
)
