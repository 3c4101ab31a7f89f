"""From FASTQ to per-sample gene counts: checks, trimming, alignment, strandedness,
featureCounts, sample QC (rules: fastq_check.smk, reads_to_counts.smk, align_*.smk,
qc.smk).
"""
