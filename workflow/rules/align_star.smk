# STAR (aligner: star): the index, scaled to the genome and the memory budget. The
# alignment itself runs in the per-sample job (reads_to_counts.smk, drugsig/star.py).
rule star_index:
    input:
        fasta="resources/reference/genome.fa",
        fai="resources/reference/genome.fa.fai",
        gtf="resources/reference/annotation.gtf",
        checked="resources/reference/contigs.tsv",
    output:
        directory("resources/index/star"),
    log:
        "logs/reference/star_index.log",
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
