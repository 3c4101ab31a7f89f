"""Snakemake adapter: viability dose-response fits, fold resistance and report files."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.assays.viability import write_viability

write_viability(
    snakemake.input.table,
    wells_out=snakemake.output.wells,
    fits_out=snakemake.output.fits,
    fold_out=snakemake.output.fold,
    plot_out=snakemake.output.plot,
    mqc_curves=snakemake.output.mqc_curves,
    mqc_fold=snakemake.output.mqc_fold,
    unit=snakemake.params.settings["unit"],
    parental=snakemake.params.settings["parental"],
    min_span=snakemake.params.settings["min_span"],
    min_r2=snakemake.params.settings["min_r2"],
)
