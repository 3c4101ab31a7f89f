"""Snakemake adapter: likelihood ratio test of every dose series and time course."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.diffexp.inference import VectorizedInference
from drugsig.diffexp.lrt import write_lrt

write_lrt(
    counts=snakemake.input.counts,
    samples=snakemake.input.samples,
    diffexp_cfg=snakemake.params.diffexp,
    tables=snakemake.output.tables,
    index=snakemake.output.index,
    inference=VectorizedInference(n_cpus=snakemake.threads),
    mqc=snakemake.output.mqc,
)
