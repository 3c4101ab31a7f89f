"""Differential expression with pydeseq2 and the vectorised inference (rules: diffexp.smk)."""
