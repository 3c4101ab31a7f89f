"""The gene x sample count matrix: merged from featureCounts or imported.

Rules: reads_to_counts.smk count_matrix, counts_import.smk.
"""
