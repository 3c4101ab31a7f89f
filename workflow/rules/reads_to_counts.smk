# One job per sample from raw reads to gene counts (drugsig/reads/reads_to_counts.py):
# FastQC, cutadapt (all units; trimmed reads stay inside the job), the aligner (all
# units into one sorted, indexed BAM, a read group per unit), samtools reports,
# strandedness inference and featureCounts. Then the count matrix of all samples.
# Reports go to results/qc/samples/{sample}/ (drugsig.reads.reads_to_counts.SampleReports).
import json
import os
import shlex
import sys

from snakemake_interface_executor_plugins.settings import DeploymentMethod

from drugsig.reads.align import ALIGNERS
from drugsig.reads.featurecounts import declared_strandedness
from drugsig.reads.reads_to_counts import unit_arguments

# The Python running the command-line script: the conda environment's with --sdm conda
# (or in a container), else Snakemake's own, as Snakemake does for `script:` rules.
# It and the script's folder reach the job as environment variables, not params, so
# that a new virtualenv or checkout path does not make every sample's job outdated.
os.environ["DRUGSIG_PYTHON"] = (
    "python"
    if {DeploymentMethod.CONDA, DeploymentMethod.APPTAINER}
    & set(workflow.deployment_settings.deployment_method)
    else sys.executable
)
os.environ["DRUGSIG_SCRIPTS"] = f"{workflow.basedir}/workflow/scripts"


envvars:
    "DRUGSIG_PYTHON",
    "DRUGSIG_SCRIPTS",


READS_TO_COUNTS_SETTINGS = shlex.quote(
    json.dumps(
        {
            "fastqc": config["fastq_qc"]["fastqc"],
            "trimming": config["trimming"],
            "aligner_extra": config[config["aligner"]]["extra_align"],
            "counting_extra": config["counting"]["extra"],
        }
    )
)

# What a sample's job reads: its FASTQ files and, if on, the check of its chunk.
SAMPLE_INPUTS = {
    sample: [*RAW_READS[sample], f"results/qc/raw/{chunk}.tsv"]
    for chunk, samples in CHECK_CHUNKS.items()
    for sample in samples
} or RAW_READS
# A sample's units declaring different strandedness: our message alone (see common.smk).
try:
    SAMPLE_ARGUMENTS = {
        sample: "--strandedness {} {}".format(
            declared_strandedness(units, config["counting"]["strandedness"]),
            unit_arguments(units),
        )
        for sample, units in UNITS.items()
    }
except InputError as error:
    sys.exit(f"Error: {error}")


rule reads_to_counts:
    input:
        # The sample's FASTQ files and, with fastq_qc.check, the check of its chunk.
        reads=lambda wildcards: SAMPLE_INPUTS[wildcards.sample],
        index=f"resources/index/{config['aligner']}",
        gtf="resources/reference/annotation.gtf",
    output:
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        counts="results/featurecounts/{sample}.tsv",
        qc=directory("results/qc/samples/{sample}"),
    log:
        "logs/reads_to_counts/{sample}.log",
    benchmark:
        "results/benchmarks/reads_to_counts/{sample}.tsv"
    conda:
        "../../envs/reads_to_counts.yaml"
    threads: 8
    resources:
        # The aligner's index plus its sorting buffers and slack; more per retry.
        mem_mb=lambda wildcards, input, attempt: ALIGNERS[
            config["aligner"]
        ].align_job_mem_mb(input.index, attempt),
        runtime=480,
    params:
        # Declared strandedness and units, as options of reads_to_counts.py.
        sample=lambda wildcards: SAMPLE_ARGUMENTS[wildcards.sample],
        settings=READS_TO_COUNTS_SETTINGS,
        aligner=config["aligner"],
    # A command-line script, not `script:`: see workflow/scripts/reads_to_counts.py.
    shell:
        '"$DRUGSIG_PYTHON" "$DRUGSIG_SCRIPTS/reads_to_counts.py" '
        "--sample {wildcards.sample} {params.sample} "
        "--aligner {params.aligner} --index {input.index} --gtf {input.gtf} "
        "--bam {output.bam} --counts {output.counts} --qc-dir {output.qc} "
        "--threads {threads} --settings {params.settings} > {log} 2>&1"


rule count_matrix:
    input:
        counts=expand("results/featurecounts/{sample}.tsv", sample=SAMPLE_NAMES),
        genes="resources/reference/genes.tsv",
    output:
        "results/counts/counts.tsv",
    log:
        "logs/count_matrix.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=per_sample_mem_mb(1000, 5),
        runtime=30,
    params:
        samples=SAMPLE_NAMES,
    script:
        "../scripts/count_matrix.py"
