"""Snakemake adapter: pre-ranked gene-set enrichment of every contrast, summary, heatmap."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.analysis.genesets import write_genesets
from drugsig.io import require_files

write_genesets(
    tables=require_files(snakemake.params.de_tables, "deseq2"),
    contrasts=snakemake.input.contrasts,
    gmt=snakemake.input.gmt,
    genesets_cfg=snakemake.params.genesets,
    results=snakemake.output.results,
    summary_out=snakemake.output.summary,
    matrix_out=snakemake.output.matrix,
    report_out=snakemake.output.mqc,
    threads=snakemake.threads,
)
