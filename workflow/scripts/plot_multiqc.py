"""Snakemake adapter: MultiQC sections (HTML custom content) of the plots."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.report.plots.report import write_multiqc_sections

write_multiqc_sections(
    plots={
        **{name: files for name, files in snakemake.input.items() if name != "contrast_plots"},
        **snakemake.params.contrast_pngs,
    },
    outputs=dict(snakemake.output.items()),
    signatures_cfg=snakemake.params.signatures,
)
