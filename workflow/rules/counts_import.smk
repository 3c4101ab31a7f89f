# Count-matrix entry: the user's matrix replaces the FASTQ stages.


rule import_counts:
    input:
        unpack(count_import_inputs),
    output:
        "results/counts/counts.tsv",
    log:
        "logs/import_counts.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=per_sample_mem_mb(1000, 5),
        runtime=30,
    script:
        "../scripts/import_counts.py"
