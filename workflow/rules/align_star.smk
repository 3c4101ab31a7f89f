# STAR: index scaled to the genome and memory budget; all units (lanes) of a sample
# aligned together into one coordinate-sorted, indexed BAM (a read group per unit).


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


rule star_align:
    input:
        reads="results/trimmed/{sample}",
        index="resources/index/star",
        gate=alignment_gate(),
    output:
        bam="results/align/{sample}.bam",
        bai="results/align/{sample}.bam.bai",
        log_final="results/align/{sample}.Log.final.out",
    log:
        "logs/star_align/{sample}.log",
    benchmark:
        "results/benchmarks/star_align/{sample}.tsv"
    conda:
        "../../envs/star.yaml"
    threads: 8
    resources:
        mem_mb=index_mem_mb,
        runtime=240,
    params:
        reads=trimmed_reads,
        read_groups=read_groups,
        prefix="results/align/{sample}.",
        extra=config["star"]["extra_align"],
    shell:
        "rm -rf {params.prefix}_STARtmp && "
        "STAR --runThreadN {threads} --genomeDir {input.index} "
        "--readFilesIn {params.reads} --readFilesCommand gzip -cd "
        "--outSAMtype BAM SortedByCoordinate --outBAMsortingThreadN {threads} "
        "--outSAMattrRGline {params.read_groups} "
        "--outFileNamePrefix {params.prefix} {params.extra} > {log} 2>&1 && "
        "mv {params.prefix}Aligned.sortedByCoord.out.bam {output.bam} && "
        "samtools index -@ {threads} {output.bam} 2>> {log}"
