"""Snakemake adapter: check that the FASTA and the GTF name their sequences alike."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w")
logging.captureWarnings(True)

from drugsig.reference.check import write_contig_table

write_contig_table(snakemake.input.fasta, snakemake.input.gtf, snakemake.output[0])
