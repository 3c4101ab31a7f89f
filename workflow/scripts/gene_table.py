"""Snakemake adapter: gene table (id, name, biotype, locus) from the GTF."""

import logging
import sys

sys.stderr = open(snakemake.log[0], "w")
logging.captureWarnings(True)

from drugsig.reference.gtf import write_gene_table

write_gene_table(snakemake.input.gtf, snakemake.output[0])
