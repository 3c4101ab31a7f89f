"""Snakemake adapter: qRT-PCR ddCt per DE contrast, concordance with RNA-seq, report files."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.assays.qpcr import write_qpcr
from drugsig.io import require_files

write_qpcr(
    snakemake.input.table,
    snakemake.input.samples,
    snakemake.input.contrasts,
    require_files(snakemake.params.de_tables, "deseq2"),
    dct_out=snakemake.output.dct,
    ddct_out=snakemake.output.ddct,
    concordance_out=snakemake.output.concordance,
    summary_out=snakemake.output.summary,
    plot_out=snakemake.output.plot,
    mqc_table=snakemake.output.mqc_table,
    mqc_plot=snakemake.output.mqc_plot,
    reference_genes=snakemake.params.settings["reference_genes"],
    max_ct=snakemake.params.settings["max_ct"],
)
