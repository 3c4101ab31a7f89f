# Differential expression with pydeseq2: one job fits every contrast.


rule deseq2:
    input:
        counts="results/counts/counts.tsv",
        samples=config["samples"],
    output:
        tables=DE_TABLES,
        normalized="results/de/normalized_counts.tsv",
        contrasts="results/de/contrasts.tsv",
        excluded="results/multiqc/custom/excluded_samples_mqc.html",
    log:
        "logs/deseq2.log",
    benchmark:
        "results/benchmarks/deseq2.tsv"
    conda:
        "../../envs/python.yaml"
    threads: config["diffexp"]["n_cpus"]
    resources:
        mem_mb=per_sample_mem_mb(2000, 20),
        runtime=120,
    params:
        diffexp=config["diffexp"],
    script:
        "../scripts/deseq2.py"


# Likelihood ratio test of every dose series and time course (drugsig.diffexp.lrt):
# its own job, so it runs beside the Wald tests.
rule deseq2_lrt:
    input:
        counts="results/counts/counts.tsv",
        samples=config["samples"],
    output:
        tables=LRT_TABLES,
        index="results/de/lrt/series.tsv",
        mqc="results/multiqc/custom/lrt_series_mqc.tsv",
    log:
        "logs/deseq2_lrt.log",
    benchmark:
        "results/benchmarks/deseq2_lrt.tsv"
    conda:
        "../../envs/python.yaml"
    threads: config["diffexp"]["n_cpus"]
    resources:
        mem_mb=per_sample_mem_mb(2000, 20),
        runtime=120,
    params:
        diffexp=config["diffexp"],
    script:
        "../scripts/deseq2_lrt.py"
