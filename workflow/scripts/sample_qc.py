"""Snakemake adapter: per-sample QC flags table (and its MultiQC section)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.sample_qc import write_sample_qc

write_sample_qc(
    samples=snakemake.params.samples,
    aligner_logs=snakemake.input.aligner_logs,
    summaries=snakemake.input.summaries,
    strandedness=snakemake.input.strandedness,
    thresholds=snakemake.params.thresholds,
    output=snakemake.output.table,
    report=snakemake.output.report,
)
