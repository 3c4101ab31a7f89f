# Alignment QC with samtools (stats, flagstat, idxstats in one job) and the
# per-sample QC flags table.


# With STAR, star_align writes the samtools reports itself (align_star.smk).
if config["aligner"] != "star":

    rule samtools_qc:
        input:
            bam="results/align/{sample}.bam",
            bai="results/align/{sample}.bam.bai",
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


rule sample_qc:
    input:
        aligner_logs=[aligner_log(sample) for sample in SAMPLE_NAMES],
        summaries=expand(
            "results/featurecounts/{sample}.tsv.summary", sample=SAMPLE_NAMES
        ),
        strandedness=expand("results/qc/strandedness/{sample}.tsv", sample=SAMPLE_NAMES),
    output:
        table="results/qc/sample_qc.tsv",
        report="results/multiqc/custom/sample_qc_mqc.tsv",
    log:
        "logs/sample_qc.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=per_sample_mem_mb(500, 1),
        runtime=10,
    params:
        samples=SAMPLE_NAMES,
        thresholds=config["sample_qc"],
    script:
        "../scripts/sample_qc.py"
