# Shared set-up: validated config, sheets loaded once, contrasts, input functions.
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))

from drugsig.design import build_contrasts
from drugsig.schema import validate_config
from drugsig.sheets import load_samples, load_units
from drugsig.star import (
    alignment_memory_mb,
    fasta_index_lengths,
    index_parameters,
    machine_memory_mb,
)
from drugsig.counts import featurecounts_strand

CONFIG_SOURCE = (
    ", ".join(map(str, workflow.overwrite_configfiles)) or "config/config.yaml"
)
config.update(validate_config(config, source=CONFIG_SOURCE))

SAMPLES = load_samples(config["samples"])
UNITS = load_units(config["units"], SAMPLES)
SAMPLE_NAMES = list(SAMPLES.index)
PAIRED = {sample: units[0].paired for sample, units in UNITS.items()}
CONTRASTS = build_contrasts(SAMPLES, config["diffexp"], source=config["samples"])
CONTRAST_NAMES = [contrast.name for contrast in CONTRASTS]


wildcard_constraints:
    sample=r"[A-Za-z0-9][A-Za-z0-9_-]*",
    contrast=r"[A-Za-z0-9][A-Za-z0-9._-]*",


def raw_reads(wildcards):
    """All FASTQ files of one sample (read 1 and read 2 of every unit)."""
    return [fq for unit in UNITS[wildcards.sample] for fq in (unit.fq1, unit.fq2) if fq]


def unit_records(wildcards):
    """The sample's units as plain dicts, for the trimming script."""
    return [
        {"unit": unit.unit, "fq1": unit.fq1, "fq2": unit.fq2}
        for unit in UNITS[wildcards.sample]
    ]


def trimmed_reads(wildcards):
    """STAR --readFilesIn argument: comma-separated units, read 1 then read 2."""
    folder = f"results/trimmed/{wildcards.sample}"
    units = UNITS[wildcards.sample]
    reads = [",".join(f"{folder}/{unit.unit}_R1.fastq.gz" for unit in units)]
    if PAIRED[wildcards.sample]:
        reads.append(",".join(f"{folder}/{unit.unit}_R2.fastq.gz" for unit in units))
    return " ".join(reads)


def read_groups(wildcards):
    """STAR --outSAMattrRGline argument: one read group per unit."""
    return " , ".join(
        f"ID:{wildcards.sample}.{unit.unit} SM:{wildcards.sample} PU:{unit.unit}"
        for unit in UNITS[wildcards.sample]
    )


def featurecounts_flags(wildcards):
    """featureCounts layout and strand options of one sample."""
    strand = featurecounts_strand(
        UNITS[wildcards.sample], config["counting"]["strandedness"]
    )
    paired = "-p --countReadPairs" if PAIRED[wildcards.sample] else ""
    return f"-s {strand} {paired}"


def final_outputs():
    """Every result the default target asks for."""
    return [
        "results/counts/counts.tsv",
        *expand("results/de/{contrast}.tsv", contrast=CONTRAST_NAMES),
        *expand("results/signatures/{contrast}.tsv", contrast=CONTRAST_NAMES),
        "results/signatures/cross_drug.tsv",
        "results/signatures/marker_panel.tsv",
        "results/multiqc/multiqc_report.html",
    ]


def star_memory_budget_mb():
    """Memory budget for STAR: config star.memory_mb, else the machine's memory."""
    return config["star"]["memory_mb"] or machine_memory_mb()


def star_index_mem_mb(wildcards, input, attempt):
    """Memory of the STAR index build, from the genome size; 50% more per retry."""
    lengths = fasta_index_lengths(input.fai)
    parameters = index_parameters(sum(lengths), len(lengths), star_memory_budget_mb())
    return int(parameters.memory_bytes / 2**20 * (1 + 0.5 * (attempt - 1))) + 500


def star_align_mem_mb(wildcards, input, attempt):
    """Memory of one STAR alignment: the index plus the sorting buffer; more per retry."""
    index_bytes = sum(entry.stat().st_size for entry in os.scandir(input.index))
    return int(alignment_memory_mb(index_bytes, 2**30) * (1 + 0.5 * (attempt - 1)))


def count_matrix_mem_mb(wildcards, attempt):
    """Memory of the count-matrix merge, growing with the number of samples."""
    return (1000 + 5 * len(SAMPLE_NAMES)) * attempt


def deseq2_mem_mb(wildcards, attempt):
    """Memory of the DE step, growing with the number of samples."""
    return (2000 + 20 * len(SAMPLE_NAMES)) * attempt
