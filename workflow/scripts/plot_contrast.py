"""Snakemake adapter: volcano and MA plots of one contrast."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.plots.contrasts import write_contrast_plots

write_contrast_plots(
    table=snakemake.input.table,
    contrast=snakemake.wildcards.contrast,
    signatures_cfg=snakemake.params.signatures,
    volcano_plots=snakemake.output.volcano,
    ma_plots=snakemake.output.ma,
)
