"""Snakemake adapter: cross-drug comparison (core, specific, similarity, relative response)."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.analysis.compare import write_comparison
from drugsig.io import require_files

write_comparison(
    tables=require_files(snakemake.params.de_tables, "deseq2"),
    contrasts=snakemake.input.contrasts,
    signatures_cfg=snakemake.params.signatures,
    comparison_cfg=snakemake.params.comparison,
    core_out=snakemake.output.core,
    specific_out=snakemake.output.specific,
    similarity_out=snakemake.output.similarity,
    relative_response_out=snakemake.output.relative_response,
    relative_response_report=snakemake.output.mqc_relative_response,
    similarity_report=snakemake.output.mqc_similarity,
)
