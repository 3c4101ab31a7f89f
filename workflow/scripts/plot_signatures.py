"""Snakemake adapter: signature heatmap and signature overlap (UpSet) plots."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.io import require_files
from drugsig.report.plots.signatures import write_signature_plots

write_signature_plots(
    signature_tables=require_files(snakemake.params.signature_tables, "signatures"),
    contrasts=snakemake.input.contrasts,
    vst_table=snakemake.input.vst,
    samples=snakemake.input.samples,
    signatures_cfg=snakemake.params.signatures,
    genotype_column=snakemake.params.genotype_column,
    heatmap_plots=snakemake.output.heatmap,
    overlap_plots=snakemake.output.overlap,
)
