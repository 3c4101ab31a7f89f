"""Wet-lab assays: viability (IC50) and qPCR (rules: assays.smk)."""
