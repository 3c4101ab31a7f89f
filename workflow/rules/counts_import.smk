# Count-matrix entry: the user's matrix replaces the FASTQ stages.


# The user's count matrix, the samples sheet and, with a GTF, the gene table.
COUNT_IMPORT_INPUTS = {"counts": config["counts"], "samples": config["samples"]}
if SOURCE_GTF:
    COUNT_IMPORT_INPUTS["genes"] = "resources/reference/genes.tsv"


rule import_counts:
    input:
        **COUNT_IMPORT_INPUTS,
    output:
        "results/counts/counts.tsv",
    log:
        "logs/import_counts.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=per_sample_mem_mb(1000, 5),
        runtime=30,
    params:
        extra_columns=config["counts_extra_columns"],
    script:
        "../scripts/import_counts.py"
