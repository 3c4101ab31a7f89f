"""Snakemake adapter: bring a user's count matrix into the workflow's format."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.counts.matrix import write_imported_counts

write_imported_counts(
    path=snakemake.input.counts,
    samples_path=snakemake.input.samples,
    genes_path=snakemake.input.get("genes"),
    output=snakemake.output[0],
    extra_columns=snakemake.params.extra_columns,
)
