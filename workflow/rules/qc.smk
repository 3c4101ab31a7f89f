# Alignment QC with samtools (stats, flagstat, idxstats), all three in one job.


rule samtools_qc:
    input:
        bam="results/star/{sample}.bam",
        bai="results/star/{sample}.bam.bai",
    output:
        stats="results/qc/samtools/{sample}.stats",
        flagstat="results/qc/samtools/{sample}.flagstat",
        idxstats="results/qc/samtools/{sample}.idxstats",
    log:
        "logs/samtools_qc/{sample}.log",
    conda:
        "../../envs/samtools.yaml"
    threads: 2
    resources:
        mem_mb=1000,
        runtime=60,
    shell:
        "(samtools stats -@ {threads} {input.bam} > {output.stats} && "
        "samtools flagstat -@ {threads} {input.bam} > {output.flagstat} && "
        "samtools idxstats {input.bam} > {output.idxstats}) 2> {log}"
