# HISAT2 (aligner: hisat2): the index, with the GTF's splice sites when they fit the
# memory budget. Drop-in for align_star.smk; the alignment itself runs in the
# per-sample job (reads_to_counts.smk). Logic: drugsig/reads/align/hisat2.py.
from drugsig.reads.align import hisat2 as hisat2_lib
from drugsig.reads.align.memory import machine_memory_mb

# Config key `hisat2`, defaults filled in by the schema (README "Aligners").
HISAT2 = config["hisat2"]
HISAT2_MEMORY_BUDGET_MB = HISAT2["memory_mb"] or machine_memory_mb()


rule hisat2_index:
    input:
        fasta="resources/reference/genome.fa",
        fai="resources/reference/genome.fa.fai",
        gtf="resources/reference/annotation.gtf",
        checked="resources/reference/contigs.tsv",
    output:
        directory("resources/index/hisat2"),
    log:
        "logs/reference/hisat2_index.log",
    cache: "omit-software"
    conda:
        "../../envs/hisat2.yaml"
    threads: 8
    resources:
        mem_mb=lambda wildcards, input, attempt: hisat2_lib.index_job_mem_mb(
            input.fai, HISAT2_MEMORY_BUDGET_MB, HISAT2["splice_sites"], attempt
        ),
        runtime=480,
    params:
        memory_budget_mb=HISAT2_MEMORY_BUDGET_MB,
        splice_sites=HISAT2["splice_sites"],
        extra=HISAT2["extra_index"],
    script:
        "../scripts/hisat2_index.py"
