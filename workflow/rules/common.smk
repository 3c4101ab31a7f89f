# Shared set-up: validated config, sheets loaded once, contrasts, input functions.
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))

from drugsig.counts import declared_strandedness
from drugsig.design import build_contrasts
from drugsig.schema import check_inputs_mode, validate_config
from drugsig.sheets import load_samples, load_units
from drugsig.star import (
    alignment_memory_mb,
    fasta_index_lengths,
    index_parameters,
    machine_memory_mb,
)

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
PAIRED = {sample: units[0].paired for sample, units in UNITS.items()}
DECLARED_STRANDEDNESS = {
    sample: declared_strandedness(units, config["counting"]["strandedness"])
    for sample, units in UNITS.items()
}
CONTRASTS = build_contrasts(SAMPLES, config["diffexp"], source=config["samples"])
CONTRAST_NAMES = [contrast.name for contrast in CONTRASTS]
DOWNLOADED = "resources/reference/download"
SOURCE_FASTA = (
    f"{DOWNLOADED}/genome.fa.gz" if "preset" in REFERENCE else REFERENCE.get("fasta")
)
SOURCE_GTF = (
    f"{DOWNLOADED}/annotation.gtf.gz" if "preset" in REFERENCE else REFERENCE.get("gtf")
)


wildcard_constraints:
    sample=r"[A-Za-z0-9][A-Za-z0-9_-]*",
    contrast=r"[A-Za-z0-9][A-Za-z0-9._-]*",


def unit_records(wildcards):
    """The sample's units as plain dicts, for the scripts."""
    return [
        {"unit": unit.unit, "fq1": unit.fq1, "fq2": unit.fq2}
        for unit in UNITS[wildcards.sample]
    ]


def raw_reads(wildcards):
    """All FASTQ files of one sample (read 1 and read 2 of every unit)."""
    return [fq for unit in UNITS[wildcards.sample] for fq in (unit.fq1, unit.fq2) if fq]


def trimmed_reads(wildcards):
    """Aligner read arguments: comma-separated units, read 1 then read 2."""
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


def sample_strandedness(wildcards):
    """The sample's declared strandedness (none, forward, reverse or auto)."""
    return DECLARED_STRANDEDNESS[wildcards.sample]


def sample_paired(wildcards):
    """Whether the sample is paired-end."""
    return PAIRED[wildcards.sample]


def count_import_inputs(wildcards):
    """The user's count matrix, the samples sheet and, with a GTF, the gene table."""
    inputs = {"counts": config["counts"], "samples": config["samples"]}
    if SOURCE_GTF:
        inputs["genes"] = "resources/reference/genes.tsv"
    return inputs


def alignment_gate():
    """Files every alignment waits for: the FASTQ checks of all samples, if on."""
    return ["results/qc/raw_reads.tsv"] if config["fastq_qc"]["check"] else []


def aligner_log(sample):
    """The aligner's per-sample summary (for MultiQC and the QC flags)."""
    if config["aligner"] == "star":
        return f"results/align/{sample}.Log.final.out"
    return f"results/align/{sample}.hisat2.summary"


def star_memory_budget_mb():
    """Memory budget for STAR: config star.memory_mb, else the machine's memory."""
    return config["star"]["memory_mb"] or machine_memory_mb()


def star_index_mem_mb(wildcards, input, attempt):
    """Memory of the STAR index build, from the genome size; 50% more per retry."""
    lengths = fasta_index_lengths(input.fai)
    parameters = index_parameters(sum(lengths), len(lengths), star_memory_budget_mb())
    return int(parameters.memory_bytes / 2**20 * (1 + 0.5 * (attempt - 1))) + 500


STAR_SORT_BUFFER_BYTES = 2**30
"""BAM sorting buffer of one STAR alignment (in its mem_mb and its --limitBAMsortRAM)."""


def index_bytes(index):
    """Size of an aligner index folder on disk."""
    return sum(entry.stat().st_size for entry in os.scandir(index))


def index_mem_mb(wildcards, input, attempt):
    """Memory of one alignment: the index on disk plus a 1 GB sorting buffer; more per retry."""
    memory_mb = alignment_memory_mb(index_bytes(input.index), STAR_SORT_BUFFER_BYTES)
    return int(memory_mb * (1 + 0.5 * (attempt - 1)))


def star_sort_ram(wildcards, input):
    """STAR --limitBAMsortRAM: STAR's default, the index size (STAR frees the index before
    sorting), but at least the sorting buffer the job declares. With a small genome the
    default is too small: STAR stops with "not enough memory for BAM sorting"."""
    return max(index_bytes(input.index), STAR_SORT_BUFFER_BYTES)


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
        "results/qc/raw_reads.tsv",
        "results/multiqc/custom/sample_qc_mqc.tsv",
        *expand("results/qc/cutadapt/{sample}", sample=SAMPLE_NAMES),
        *(aligner_log(sample) for sample in SAMPLE_NAMES),
        *expand("results/featurecounts/{sample}.tsv.summary", sample=SAMPLE_NAMES),
        *expand("results/qc/samtools/{sample}.stats", sample=SAMPLE_NAMES),
    ]


def multiqc_folders():
    """Folders MultiQC searches (files are listed as rule inputs for the DAG only)."""
    if COUNTS_MODE:
        return "results/multiqc/custom"
    return "results/qc results/align results/featurecounts results/multiqc/custom"


def final_outputs():
    """Every result the default target asks for."""
    return [
        "results/counts/counts.tsv",
        *expand("results/de/{contrast}.tsv", contrast=CONTRAST_NAMES),
        *expand("results/signatures/{contrast}.tsv", contrast=CONTRAST_NAMES),
        "results/signatures/cross_drug.tsv",
        "results/signatures/marker_panel.tsv",
        "results/multiqc/multiqc_report.html",
        *ANALYSIS_OUTPUTS,
        *PLOT_OUTPUTS,
        *ASSAY_OUTPUTS,
    ]
