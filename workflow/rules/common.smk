# Shared set-up: validated config, sheets loaded once, contrasts, the names every stage
# uses, and the one resource function several rules share. Input functions used by a
# single rule live beside it.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))

from drugsig.analysis.dose_response import lrt_series
from drugsig.counts.matrix import check_count_matrix_header
from drugsig.errors import InputError
from drugsig.inputs.design import build_contrasts
from drugsig.inputs.schema import check_inputs_mode, validate_config
from drugsig.inputs.sheets import load_samples, load_units
from drugsig.reads.raw_check import check_chunks
from drugsig.reference.check import check_source_file

CONFIG_SOURCE = (
    ", ".join(map(str, workflow.overwrite_configfiles)) or "config/config.yaml"
)
# Parse-time checks of the config, the sheets, the reference and the count matrix:
# an InputError prints our message alone (no Snakemake traceback) and exits with 1.
try:
    config.update(validate_config(config, source=CONFIG_SOURCE))
    check_inputs_mode(config, CONFIG_SOURCE)
    COUNTS_MODE = bool(config["counts"])
    REFERENCE = config.get("reference") or {}
    SAMPLES = load_samples(config["samples"])
    UNITS = {} if COUNTS_MODE else load_units(config["units"], SAMPLES)
    CHECK_CHUNKS = (
        check_chunks(list(UNITS), config["fastq_qc"]["samples_per_check_job"])
        if config["fastq_qc"]["check"]
        else {}
    )
    CONTRASTS = build_contrasts(SAMPLES, config["diffexp"], source=config["samples"])
    LRT_SERIES = (
        lrt_series(
            SAMPLES, CONTRASTS, config["diffexp"], config["diffexp"]["lrt_min_levels"]
        )
        if config["diffexp"]["lrt"]
        else []
    )
    # The user's own reference files and count matrix: their start (empty, binary,
    # spreadsheet, not gzip, no '>' header, ...); the rest is read by the first jobs.
    for kind in ("fasta", "gtf"):
        if REFERENCE.get(kind):
            check_source_file(REFERENCE[kind], kind)
    if COUNTS_MODE:
        check_count_matrix_header(
            config["counts"], SAMPLES, config["counts_extra_columns"]
        )
except InputError as error:
    sys.exit(f"Error: {error}")
# Only the included samples: those with an `exclude` reason are left out everywhere.
SAMPLE_NAMES = list(SAMPLES.index)
if SAMPLES.attrs["excluded"]:
    print(
        f"{len(SAMPLES.attrs['excluded'])} sample(s) excluded (column 'exclude' of "
        f"{config['samples']}): "
        + "; ".join(
            f"{name}: {why}" for name, why in SAMPLES.attrs["excluded"].items()
        ),
        file=sys.stderr,
    )
# Input functions run once per job: everything they return is looked up here, once.
RAW_READS = {
    sample: [fq for unit in units for fq in unit.files]
    for sample, units in UNITS.items()
}
CONTRAST_NAMES = [contrast.name for contrast in CONTRASTS]
# Per-contrast tables. Each set is written by one job (deseq2, signatures, genesets)
# and read through the job's index file (results/de/contrasts.tsv, ...): Snakemake
# looks up a requested file among all outputs of its job, so asking for thousands
# of them one by one would cost time quadratic in the number of contrasts.
DE_TABLES = expand("results/de/{contrast}.tsv", contrast=CONTRAST_NAMES)
SIGNATURE_TABLES = expand("results/signatures/{contrast}.tsv", contrast=CONTRAST_NAMES)
GENESET_TABLES = expand("results/genesets/{contrast}.tsv", contrast=CONTRAST_NAMES)
# Likewise the per-series LRT tables, read through results/de/lrt/series.tsv.
LRT_TABLES = [f"results/de/lrt/{series.name}.tsv" for series in LRT_SERIES]
DOWNLOADED = "resources/reference/download"
SOURCE_FASTA = (
    f"{DOWNLOADED}/genome.fa.gz" if "preset" in REFERENCE else REFERENCE.get("fasta")
)
SOURCE_GTF = (
    f"{DOWNLOADED}/annotation.gtf.gz" if "preset" in REFERENCE else REFERENCE.get("gtf")
)


wildcard_constraints:
    sample=r"[A-Za-z0-9][A-Za-z0-9._-]*",
    chunk=r"chunk[0-9]+",
    contrast=r"[A-Za-z0-9][A-Za-z0-9._-]*",


def per_sample_mem_mb(base_mb, per_sample_mb):
    """A resource function: memory growing with the number of samples, more per retry."""

    def mem_mb(wildcards, attempt):
        return (base_mb + per_sample_mb * len(SAMPLE_NAMES)) * attempt

    return mem_mb
