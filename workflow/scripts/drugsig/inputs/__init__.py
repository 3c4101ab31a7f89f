"""Inputs: the config schema, the samples and units sheets, the experimental design.

Rules: common.smk.
"""
