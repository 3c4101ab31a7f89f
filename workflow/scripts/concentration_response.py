"""Snakemake adapter: fit every concentration series (genes.tsv, series.tsv, samples.tsv)."""

import sys

sys.stderr = open(snakemake.log[0], "w")
sys.stdout = sys.stderr

import warnings

# one line per warning (skipped series, cytotoxic samples left out)
warnings.formatwarning = lambda message, category, *_args, **_kwargs: f"warning: {message}\n"

from drugsig.concentration_response import run_fits
from drugsig.inputs.sheets import load_samples

run_fits(
    samples=load_samples(snakemake.input.samples),
    expression=snakemake.input.vst,
    settings=snakemake.params.settings,
    vehicle=snakemake.params.vehicle,
    genotype_column=snakemake.params.genotype_column,
    genes_out=snakemake.output.genes,
    series_out=snakemake.output.series,
    samples_out=snakemake.output.samples,
    lrt_index=snakemake.input.lrt[0] if snakemake.input.lrt else None,
    viability_fits=snakemake.input.viability[0] if snakemake.input.viability else None,
    samples_path=snakemake.input.samples,
)
