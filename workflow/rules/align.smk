# STAR alignment: all units (lanes) of a sample into one sorted, indexed BAM.


rule star_align:
    input:
        reads="results/trimmed/{sample}",
        index="resources/index/star",
    output:
        bam="results/star/{sample}.bam",
        bai="results/star/{sample}.bam.bai",
        log_final="results/star/{sample}.Log.final.out",
    log:
        "logs/star_align/{sample}.log",
    benchmark:
        "results/benchmarks/star_align/{sample}.tsv"
    conda:
        "../../envs/star.yaml"
    threads: 8
    resources:
        mem_mb=star_align_mem_mb,
        runtime=240,
    params:
        reads=trimmed_reads,
        read_groups=read_groups,
        prefix="results/star/{sample}.",
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
