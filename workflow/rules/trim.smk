# Raw-read checks and FastQC, then adapter and quality trimming with cutadapt.
# One job per sample each (all its units), so the job count stays low at scale.


rule raw_reads_qc:
    input:
        raw_reads,
    output:
        summary="results/qc/raw/{sample}.tsv",
        fastqc=directory("results/qc/fastqc/{sample}"),
    log:
        "logs/raw_reads_qc/{sample}.log",
    priority: 10
    conda:
        "../../envs/fastqc.yaml"
    threads: 2
    resources:
        mem_mb=1500,
        runtime=60,
    params:
        units=unit_records,
        check=config["fastq_qc"]["check"],
        fastqc=config["fastq_qc"]["fastqc"],
    script:
        "../scripts/raw_reads_qc.py"


rule raw_reads_summary:
    input:
        expand("results/qc/raw/{sample}.tsv", sample=SAMPLE_NAMES),
    output:
        "results/qc/raw_reads.tsv",
    log:
        "logs/raw_reads_summary.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=per_sample_mem_mb(500, 1),
        runtime=10,
    script:
        "../scripts/concat_tables.py"


rule cutadapt_trim:
    input:
        reads=raw_reads,
        checked="results/qc/raw/{sample}.tsv",
    output:
        reads=temp(directory("results/trimmed/{sample}")),
        reports=directory("results/qc/cutadapt/{sample}"),
    log:
        "logs/cutadapt_trim/{sample}.log",
    benchmark:
        "results/benchmarks/cutadapt_trim/{sample}.tsv"
    conda:
        "../../envs/cutadapt.yaml"
    threads: 4
    resources:
        mem_mb=1000,
        runtime=120,
    params:
        units=unit_records,
        settings=config["trimming"],
    script:
        "../scripts/cutadapt_trim.py"
