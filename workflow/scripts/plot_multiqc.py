"""Snakemake adapter: MultiQC sections (HTML custom content) of the static plots."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.report.plots.report import write_multiqc_sections

write_multiqc_sections(
    plots=dict(snakemake.input.items()),
    outputs=dict(snakemake.output.items()),
    signatures_cfg=snakemake.params.signatures,
)
