"""Snakemake adapter: volcano and MA plots of every contrast, their index and MultiQC plots."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.report.plots.contrasts import write_all_contrast_plots

write_all_contrast_plots(
    contrasts=snakemake.params.contrasts,
    tables=snakemake.params.de_tables,
    volcano_plots=snakemake.output.volcano,
    ma_plots=snakemake.output.ma,
    formats=snakemake.params.formats,
    signatures_cfg=snakemake.params.signatures,
    index=snakemake.output.index,
    volcano_section=snakemake.output.volcano_section,
    ma_section=snakemake.output.ma_section,
)
