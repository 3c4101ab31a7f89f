# Differential expression with pydeseq2: one job fits every contrast.


rule deseq2:
    input:
        counts="results/counts/counts.tsv",
        samples=config["samples"],
    output:
        tables=expand("results/de/{contrast}.tsv", contrast=CONTRAST_NAMES),
        normalized="results/de/normalized_counts.tsv",
        contrasts="results/de/contrasts.tsv",
    log:
        "logs/deseq2.log",
    conda:
        "../../envs/python.yaml"
    params:
        diffexp=config["diffexp"],
    threads: config["diffexp"]["n_cpus"]
    resources:
        mem_mb=deseq2_mem_mb,
        runtime=120,
    benchmark:
        "results/benchmarks/deseq2.tsv"
    script:
        "../scripts/deseq2.py"
