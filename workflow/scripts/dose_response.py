"""Snakemake adapter: dose- and time-response genes of the treatment contrasts."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.analysis.dose_response import write_dose_response
from drugsig.io import require_files

write_dose_response(
    tables=require_files(snakemake.params.de_tables, "deseq2"),
    contrasts=snakemake.input.contrasts,
    samples=snakemake.input.samples,
    genotype_column=snakemake.params.genotype_column,
    dose_response_cfg=snakemake.params.dose_response,
    dose_out=snakemake.output.dose,
    time_out=snakemake.output.time,
    lrt_index=snakemake.input.lrt,
    lrt_tables=require_files(snakemake.params.lrt_tables, "deseq2_lrt"),
    alpha=snakemake.params.alpha,
)
