"""From FASTQ to per-sample gene counts.

Checks, trimming, alignment, strandedness, featureCounts and sample QC (rules:
fastq_check.smk, reads_to_counts.smk, align_*.smk, qc.smk).
"""
