# Gene-level counting with featureCounts and the count matrix.


rule featurecounts:
    input:
        bam="results/star/{sample}.bam",
        gtf="resources/reference/annotation.gtf",
    output:
        counts="results/featurecounts/{sample}.tsv",
        summary="results/featurecounts/{sample}.tsv.summary",
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
        flags=featurecounts_flags,
        extra=config["counting"]["extra"],
    shell:
        "featureCounts -T {threads} {params.flags} {params.extra} "
        "-a {input.gtf} -o {output.counts} {input.bam} > {log} 2>&1"


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
        mem_mb=count_matrix_mem_mb,
        runtime=30,
    params:
        samples=SAMPLE_NAMES,
    script:
        "../scripts/count_matrix.py"
