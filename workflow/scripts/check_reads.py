"""Snakemake adapter: check the raw FASTQ files of a chunk of samples."""

import sys

sys.stderr = open(snakemake.log[0], "w")

from drugsig.inputs.sheets import Unit
from drugsig.reads.raw_check import check_samples

check_samples(
    units_by_sample={
        sample: [Unit.from_record(sample, record) for record in records]
        for sample, records in snakemake.params.units.items()
    },
    summary=snakemake.output[0],
    threads=snakemake.threads,
)
