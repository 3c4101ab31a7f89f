"""Signatures, cross-drug comparison, gene sets, resistance, dose and time response (rules:
signatures.smk, analysis.smk).
"""
