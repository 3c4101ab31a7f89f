# Gene-level counting: strandedness inferred from the reads (and checked against the
# declared value), featureCounts per sample, then the count matrix.


rule featurecounts:
    input:
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        gtf="resources/reference/annotation.gtf",
    output:
        counts="results/featurecounts/{sample}.tsv",
        summary="results/featurecounts/{sample}.tsv.summary",
        strandedness="results/qc/strandedness/{sample}.tsv",
    log:
        "logs/featurecounts/{sample}.log",
    benchmark:
        "results/benchmarks/featurecounts/{sample}.tsv"
    conda:
        "../../envs/subread.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        declared=sample_strandedness,
        paired=sample_paired,
        extra=config["counting"]["extra"],
    script:
        "../scripts/featurecounts.py"


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
