# Adapter and quality trimming with cutadapt, one job per sample (all its units).


rule cutadapt_trim:
    input:
        raw_reads,
    output:
        reads=temp(directory("results/trimmed/{sample}")),
        reports=directory("results/qc/cutadapt/{sample}"),
    log:
        "logs/cutadapt_trim/{sample}.log",
    conda:
        "../../envs/cutadapt.yaml"
    params:
        units=unit_records,
        settings=config["trimming"],
    threads: 4
    resources:
        mem_mb=1000,
        runtime=120,
    benchmark:
        "results/benchmarks/cutadapt_trim/{sample}.tsv"
    script:
        "../scripts/cutadapt_trim.py"
