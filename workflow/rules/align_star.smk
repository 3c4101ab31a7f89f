# STAR (aligner: star): the index, scaled to the genome and the memory budget. The
# alignment itself runs in the per-sample job (reads_to_counts.smk).
# Logic: drugsig/reads/align/star.py.
from drugsig.reads.align import star as star_lib
from drugsig.reads.align.memory import machine_memory_mb

# Memory budget for STAR: config star.memory_mb, else the machine's memory.
STAR_MEMORY_BUDGET_MB = config["star"]["memory_mb"] or machine_memory_mb()


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
        # From the genome size and the budget; 50% more per retry.
        mem_mb=lambda wildcards, input, attempt: star_lib.index_job_mem_mb(
            input.fai, STAR_MEMORY_BUDGET_MB, "auto", attempt
        ),
        runtime=240,
    params:
        memory_budget_mb=STAR_MEMORY_BUDGET_MB,
        extra=config["star"]["extra_index"],
    script:
        "../scripts/star_index.py"
