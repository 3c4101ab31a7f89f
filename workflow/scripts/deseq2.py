"""Snakemake adapter: differential expression of every contrast with pydeseq2."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.diffexp.deseq import write_de
from drugsig.diffexp.inference import VectorizedInference

write_de(
    counts=snakemake.input.counts,
    samples=snakemake.input.samples,
    diffexp_cfg=snakemake.params.diffexp,
    tables=snakemake.output.tables,
    normalized=snakemake.output.normalized,
    contrasts=snakemake.output.contrasts,
    inference=VectorizedInference(n_cpus=snakemake.threads),
    excluded=snakemake.output.excluded,
)
