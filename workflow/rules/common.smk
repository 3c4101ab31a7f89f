# Shared set-up: validated config, sheets loaded once, contrasts, input functions.
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))

from drugsig.reads.align import hisat2 as hisat2_lib
from drugsig.reads.align import star as star_lib
from drugsig.counts.matrix import declared_strandedness
from drugsig.inputs.design import build_contrasts
from drugsig.reads.raw_check import check_chunks
from drugsig.reads.reads_to_counts import unit_arguments
from drugsig.inputs.schema import check_inputs_mode, validate_config
from drugsig.inputs.sheets import load_samples, load_units

CONFIG_SOURCE = (
    ", ".join(map(str, workflow.overwrite_configfiles)) or "config/config.yaml"
)
config.update(validate_config(config, source=CONFIG_SOURCE))
check_inputs_mode(config, CONFIG_SOURCE)

COUNTS_MODE = bool(config["counts"])
REFERENCE = config.get("reference") or {}
SAMPLES = load_samples(config["samples"])
SAMPLE_NAMES = list(SAMPLES.index)
UNITS = {} if COUNTS_MODE else load_units(config["units"], SAMPLES)
# Input functions run once per job: everything they return is looked up here, once.
RAW_READS = {
    sample: [fq for unit in units for fq in (unit.fq1, unit.fq2) if fq]
    for sample, units in UNITS.items()
}
UNIT_RECORDS = {
    sample: [{"unit": unit.unit, "fq1": unit.fq1, "fq2": unit.fq2} for unit in units]
    for sample, units in UNITS.items()
}
SAMPLE_ARGUMENTS = {
    sample: "--strandedness {} {}".format(
        declared_strandedness(units, config["counting"]["strandedness"]),
        unit_arguments(UNIT_RECORDS[sample]),
    )
    for sample, units in UNITS.items()
}
CHECK_CHUNKS = (
    check_chunks(list(UNITS), config["fastq_qc"]["samples_per_check_job"])
    if config["fastq_qc"]["check"]
    else {}
)
# What a sample's job reads: its FASTQ files and, if on, the check of its chunk.
SAMPLE_INPUTS = {
    sample: [*RAW_READS[sample], f"results/qc/raw/{chunk}.tsv"]
    for chunk, samples in CHECK_CHUNKS.items()
    for sample in samples
} or RAW_READS
CONTRASTS = build_contrasts(SAMPLES, config["diffexp"], source=config["samples"])
CONTRAST_NAMES = [contrast.name for contrast in CONTRASTS]
# Per-contrast tables. Each set is written by one job (deseq2, signatures, genesets)
# and read through the job's index file (results/de/contrasts.tsv, ...): Snakemake
# looks up a requested file among all outputs of its job, so asking for thousands
# of them one by one would cost time quadratic in the number of contrasts.
DE_TABLES = expand("results/de/{contrast}.tsv", contrast=CONTRAST_NAMES)
SIGNATURE_TABLES = expand("results/signatures/{contrast}.tsv", contrast=CONTRAST_NAMES)
GENESET_TABLES = expand("results/genesets/{contrast}.tsv", contrast=CONTRAST_NAMES)
DOWNLOADED = "resources/reference/download"
SOURCE_FASTA = (
    f"{DOWNLOADED}/genome.fa.gz" if "preset" in REFERENCE else REFERENCE.get("fasta")
)
SOURCE_GTF = (
    f"{DOWNLOADED}/annotation.gtf.gz" if "preset" in REFERENCE else REFERENCE.get("gtf")
)


wildcard_constraints:
    sample=r"[A-Za-z0-9][A-Za-z0-9_-]*",
    chunk=r"chunk[0-9]+",
    contrast=r"[A-Za-z0-9][A-Za-z0-9._-]*",


def reads_and_check(wildcards):
    """All FASTQ files of one sample and, with fastq_qc.check, the check of its chunk:
    the sample's job waits for it (and re-runs when it changes)."""
    return SAMPLE_INPUTS[wildcards.sample]


def sample_arguments(wildcards):
    """The sample's declared strandedness and units, as options of reads_to_counts.py."""
    return SAMPLE_ARGUMENTS[wildcards.sample]


def chunk_reads(wildcards):
    """All FASTQ files of the samples of one check chunk."""
    return [fq for sample in CHECK_CHUNKS[wildcards.chunk] for fq in RAW_READS[sample]]


def chunk_units(wildcards):
    """The units (as plain dicts) of each sample of one check chunk."""
    return {sample: UNIT_RECORDS[sample] for sample in CHECK_CHUNKS[wildcards.chunk]}


def count_import_inputs(wildcards):
    """The user's count matrix, the samples sheet and, with a GTF, the gene table."""
    inputs = {"counts": config["counts"], "samples": config["samples"]}
    if SOURCE_GTF:
        inputs["genes"] = "resources/reference/genes.tsv"
    return inputs


def star_memory_budget_mb():
    """Memory budget for STAR: config star.memory_mb, else the machine's memory."""
    return config["star"]["memory_mb"] or star_lib.machine_memory_mb()


def star_index_mem_mb(wildcards, input, attempt):
    """Memory of the STAR index build, from the genome size; 50% more per retry."""
    lengths = star_lib.fasta_index_lengths(input.fai)
    parameters = star_lib.index_parameters(
        sum(lengths), len(lengths), star_memory_budget_mb()
    )
    return int(parameters.memory_bytes / 2**20 * (1 + 0.5 * (attempt - 1))) + 500


def aligner_mem_mb(wildcards, input, attempt):
    """Memory of one sample's job: the aligner's index plus its sorting buffers and
    slack (drugsig.reads.align.star / drugsig.reads.align.hisat2 align_job_mem_mb); more per retry."""
    library = star_lib if config["aligner"] == "star" else hisat2_lib
    return library.align_job_mem_mb(input.index, attempt)


def per_sample_mem_mb(base_mb, per_sample_mb):
    """A resource function: memory growing with the number of samples, more per retry."""

    def mem_mb(wildcards, attempt):
        return (base_mb + per_sample_mb * len(SAMPLE_NAMES)) * attempt

    return mem_mb


def multiqc_inputs():
    """Tool reports and custom content the MultiQC report is built from."""
    files = [
        "results/multiqc/custom/de_summary_mqc.tsv",
        "results/multiqc/custom/marker_panel_mqc.tsv",
        *ANALYSIS_REPORT_TABLES,
        *PLOT_REPORT_SECTIONS.values(),
        *ASSAY_OUTPUTS,
    ]
    if COUNTS_MODE:
        return files
    return [
        *files,
        *(["results/qc/raw_reads.tsv"] if CHECK_CHUNKS else []),
        "results/multiqc/custom/sample_qc_mqc.tsv",
        *expand("results/qc/samples/{sample}", sample=SAMPLE_NAMES),
    ]


def multiqc_folders():
    """Folders MultiQC searches (files are listed as rule inputs for the DAG only)."""
    if COUNTS_MODE:
        return "results/multiqc/custom"
    return "results/qc results/multiqc/custom"


def final_outputs():
    """Every result the default target asks for (per-contrast files through the index
    files of their jobs, see DE_TABLES)."""
    return [
        "results/counts/counts.tsv",
        "results/de/contrasts.tsv",
        "results/signatures/cross_drug.tsv",
        "results/signatures/marker_panel.tsv",
        "results/multiqc/multiqc_report.html",
        *ANALYSIS_OUTPUTS,
        *PLOT_OUTPUTS,
        *ASSAY_OUTPUTS,
    ]
