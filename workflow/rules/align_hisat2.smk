# HISAT2 (aligner: hisat2): index with the GTF's splice sites, then all units (lanes)
# of a sample into one coordinate-sorted, indexed BAM with a read group per unit.
# Drop-in for align_star.smk: same results/align/{sample}.bam(.bai); the aligner log
# for MultiQC is results/align/{sample}.hisat2.summary. Logic: drugsig/hisat2.py.
from drugsig import hisat2 as hisat2_lib

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


rule hisat2_align:
    input:
        reads="results/trimmed/{sample}",
        index="resources/index/hisat2",
        gate=alignment_gate(),
    output:
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        summary="results/align/{sample}.hisat2.summary",
    log:
        "logs/hisat2_align/{sample}.log",
    benchmark:
        "results/benchmarks/hisat2_align/{sample}.tsv"
    conda:
        "../../envs/hisat2.yaml"
    threads: 8
    resources:
        mem_mb=lambda wildcards, input, attempt: hisat2_lib.align_job_mem_mb(
            input.index, attempt
        ),
        runtime=240,
    params:
        units=lambda wildcards: hisat2_lib.trimmed_units(
            wildcards.sample, UNITS[wildcards.sample], PAIRED[wildcards.sample]
        ),
        strandness=lambda wildcards: hisat2_lib.rna_strandness(
            sample_strandedness(wildcards), PAIRED[wildcards.sample]
        ),
        extra=HISAT2["extra_align"],
    script:
        "../scripts/hisat2_align.py"
