"""Signatures, cross-drug comparison, gene sets, resistance, dose and time response.

Rules: signatures.smk, analysis.smk.
"""
