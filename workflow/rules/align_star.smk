# STAR: index scaled to the genome and memory budget; all units (lanes) of a sample
# aligned together into one coordinate-sorted, indexed BAM (a read group per unit).
# The alignment job also writes the BAM's samtools reports (stats, flagstat, idxstats;
# log logs/samtools_qc/{sample}.log): one job less per sample keeps the DAG of
# thousands of samples quick to build.


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
        stats="results/qc/samtools/{sample}.stats",
        flagstat="results/qc/samtools/{sample}.flagstat",
        idxstats="results/qc/samtools/{sample}.idxstats",
    log:
        star="logs/star_align/{sample}.log",
        samtools="logs/samtools_qc/{sample}.log",
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
        sort_ram=star_sort_ram,
        extra=config["star"]["extra_align"],
    shell:
        "rm -rf {params.prefix}_STARtmp && "
        "STAR --runThreadN {threads} --genomeDir {input.index} "
        "--readFilesIn {params.reads} --readFilesCommand gzip -cd "
        "--outSAMtype BAM SortedByCoordinate --outBAMsortingThreadN {threads} "
        "--limitBAMsortRAM {params.sort_ram} "
        "--outSAMattrRGline {params.read_groups} "
        "--outFileNamePrefix {params.prefix} {params.extra} > {log.star} 2>&1 && "
        "mv {params.prefix}Aligned.sortedByCoord.out.bam {output.bam} && "
        "samtools index -@ {threads} {output.bam} 2>> {log.star} && "
        "(samtools stats -@ {threads} {output.bam} > {output.stats} && "
        "samtools flagstat -@ {threads} {output.bam} > {output.flagstat} && "
        "samtools idxstats {output.bam} > {output.idxstats}) 2> {log.samtools}"
