"""Inputs: the config schema, the samples and units sheets, the experimental design (rules:
common.smk).
"""
