# One job per sample from raw reads to gene counts (drugsig/reads_to_counts.py):
# FastQC, cutadapt (all units; trimmed reads stay inside the job), the aligner (all
# units into one sorted, indexed BAM, a read group per unit), samtools reports,
# strandedness inference and featureCounts. Then the count matrix of all samples.
# Reports go to results/qc/samples/{sample}/ (drugsig.reads.reads_to_counts.SampleReports).
import json
import shlex

from snakemake_interface_executor_plugins.settings import DeploymentMethod

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


rule reads_to_counts:
    input:
        reads=reads_and_check,
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
        mem_mb=aligner_mem_mb,
        runtime=480,
    params:
        sample=sample_arguments,
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
