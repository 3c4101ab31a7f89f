"""Snakemake adapter: download the config's reference preset (FASTA + GTF), checksum-verified."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.reference.download import download_reference

download_reference(snakemake.params.preset, snakemake.output.fasta, snakemake.output.gtf)
