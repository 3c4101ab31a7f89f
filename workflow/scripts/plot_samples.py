"""Snakemake adapter: VST counts, sample PCA (also for MultiQC) and sample distances."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.report.plots.samples import write_sample_plots

write_sample_plots(
    counts=snakemake.input.counts,
    samples=snakemake.input.samples,
    genotype_column=snakemake.params.genotype_column,
    vst_table=snakemake.output.vst,
    pca_plots=snakemake.output.pca,
    distance_plots=snakemake.output.distances,
    pca_section=snakemake.output.pca_section,
)
