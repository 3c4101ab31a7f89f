"""Snakemake adapter: infer a sample's library strandedness and compare it with the declared one."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w")
logging.captureWarnings(True)

from drugsig.strandedness import strandedness_report

strandedness_report(
    sample=snakemake.wildcards.sample,
    bam=snakemake.input.bam,
    gtf=snakemake.input.gtf,
    declared=snakemake.params.declared,
    output=snakemake.output[0],
)
