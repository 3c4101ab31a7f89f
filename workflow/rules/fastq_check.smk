# Every FASTQ file is read once before the heavy steps (fastq_qc.check): a truncated or
# malformed file stops the run. The checks run in chunks of
# fastq_qc.samples_per_check_job samples, so thousands of samples add few jobs; they
# come first (priority), and each sample's job waits for the check of its chunk.
# results/qc/raw_reads.tsv gathers them for the report.


rule check_reads:
    input:
        # All FASTQ files of the samples of the chunk.
        lambda wildcards: [
            fq for sample in CHECK_CHUNKS[wildcards.chunk] for fq in RAW_READS[sample]
        ],
    output:
        "results/qc/raw/{chunk}.tsv",
    log:
        "logs/check_reads/{chunk}.log",
    priority: 10
    conda:
        "../../envs/python.yaml"
    threads: 4
    resources:
        mem_mb=2000,
        runtime=120,
    params:
        # The units of each sample of the chunk, as plain dicts (Unit.record): the
        # job's recorded params stay the same while its units do.
        units=lambda wildcards: {
            sample: [unit.record() for unit in UNITS[sample]]
            for sample in CHECK_CHUNKS[wildcards.chunk]
        },
    script:
        "../scripts/check_reads.py"


rule raw_reads_summary:
    input:
        expand("results/qc/raw/{chunk}.tsv", chunk=CHECK_CHUNKS),
    output:
        "results/qc/raw_reads.tsv",
    log:
        "logs/raw_reads_summary.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=per_sample_mem_mb(500, 1),
        runtime=10,
    script:
        "../scripts/concat_tables.py"
