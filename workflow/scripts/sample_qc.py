"""Snakemake adapter: per-sample QC flags table (and its MultiQC section)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.reads.reads_to_counts import SampleReports
from drugsig.reads.sample_qc import write_sample_qc

files = [
    SampleReports(sample, snakemake.params.aligner, qc_dir)
    for sample, qc_dir in zip(snakemake.params.samples, snakemake.input.qc, strict=True)
]
write_sample_qc(
    samples=snakemake.params.samples,
    aligner_logs=[sample.aligner_log for sample in files],
    summaries=[sample.counts_summary for sample in files],
    strandedness=[sample.strandedness for sample in files],
    thresholds=snakemake.params.thresholds,
    output=snakemake.output.table,
    report=snakemake.output.report,
)
