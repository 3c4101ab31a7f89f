# Adapter and quality trimming with cutadapt, one job per sample (all its units).


rule cutadapt_trim:
    input:
        raw_reads,
    output:
        reads=temp(directory("results/trimmed/{sample}")),
        reports=directory("results/qc/cutadapt/{sample}"),
    log:
        "logs/cutadapt_trim/{sample}.log",
    benchmark:
        "results/benchmarks/cutadapt_trim/{sample}.tsv"
    conda:
        "../../envs/cutadapt.yaml"
    threads: 4
    resources:
        mem_mb=1000,
        runtime=120,
    params:
        units=unit_records,
        settings=config["trimming"],
    script:
        "../scripts/cutadapt_trim.py"
