"""Aligners: STAR and HISAT2 with one interface (build_index, align_sample)."""
