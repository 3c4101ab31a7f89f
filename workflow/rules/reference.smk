# Reference preparation: uncompressed FASTA + index, GTF, gene table, STAR index.


rule prepare_genome:
    input:
        config["reference"]["fasta"],
    output:
        fasta="resources/reference/genome.fa",
        fai="resources/reference/genome.fa.fai",
    log:
        "logs/reference/prepare_genome.log",
    cache: "omit-software"
    conda:
        "../../envs/samtools.yaml"
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        "(gzip -cdf {input} > {output.fasta} && samtools faidx {output.fasta}) 2> {log}"


rule prepare_annotation:
    input:
        config["reference"]["gtf"],
    output:
        "resources/reference/annotation.gtf",
    log:
        "logs/reference/prepare_annotation.log",
    cache: "omit-software"
    conda:
        "../../envs/samtools.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    shell:
        "gzip -cdf {input} > {output} 2> {log}"


rule gene_table:
    input:
        gtf="resources/reference/annotation.gtf",
        fai="resources/reference/genome.fa.fai",
    output:
        "resources/reference/genes.tsv",
    log:
        "logs/reference/gene_table.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=4000,
        runtime=10,
    script:
        "../scripts/gene_table.py"


rule star_index:
    input:
        fasta="resources/reference/genome.fa",
        fai="resources/reference/genome.fa.fai",
        gtf="resources/reference/annotation.gtf",
    output:
        directory("resources/index/star"),
    log:
        "logs/reference/star_index.log",
    benchmark:
        "results/benchmarks/reference/star_index.tsv"
    cache: "omit-software"
    conda:
        "../../envs/star.yaml"
    threads: 8
    resources:
        mem_mb=star_index_mem_mb,
        runtime=240,
    params:
        memory_budget_mb=star_memory_budget_mb(),
        extra=config["star"]["extra_index"],
    script:
        "../scripts/star_index.py"
