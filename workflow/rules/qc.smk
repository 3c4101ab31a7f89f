# Per-sample QC flags (few reads, low mapping or assignment, strandedness mismatch)
# from the reports of the reads_to_counts jobs.


rule sample_qc:
    input:
        qc=expand("results/qc/samples/{sample}", sample=SAMPLE_NAMES),
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
        aligner=config["aligner"],
        thresholds=config["sample_qc"],
    script:
        "../scripts/sample_qc.py"
