# Reference preparation: download (presets), uncompressed FASTA + index, GTF, checks.

if "preset" in REFERENCE:

    rule download_reference:
        output:
            fasta=f"{DOWNLOADED}/genome.fa.gz",
            gtf=f"{DOWNLOADED}/annotation.gtf.gz",
        log:
            "logs/reference/download_reference.log",
        cache: "omit-software"
        retries: 2
        conda:
            "../../envs/python.yaml"
        resources:
            mem_mb=1000,
            runtime=240,
        params:
            preset=REFERENCE.get("preset"),
        script:
            "../scripts/download_reference.py"


if not COUNTS_MODE:

    rule prepare_genome:
        input:
            SOURCE_FASTA,
        output:
            fasta="resources/reference/genome.fa",
            fai="resources/reference/genome.fa.fai",
        log:
            "logs/reference/prepare_genome.log",
        cache: "omit-software"
        conda:
            "../../envs/samtools.yaml"
        resources:
            mem_mb=1000,
            runtime=60,
        shell:
            "((gzip -cdf {input} > {output.fasta} || (echo {input:q}': the gzip data is truncated"
            " or corrupt (gzip could not decompress it). Copy or download the file again.' >&2;"
            " exit 1)) && samtools faidx {output.fasta}) 2> {log}"

    rule check_reference:
        input:
            fasta="resources/reference/genome.fa",
            fai="resources/reference/genome.fa.fai",
            gtf="resources/reference/annotation.gtf",
        output:
            "resources/reference/contigs.tsv",
        log:
            "logs/reference/check_reference.log",
        conda:
            "../../envs/python.yaml"
        resources:
            mem_mb=2000,
            runtime=10,
        script:
            "../scripts/check_reference.py"


if SOURCE_GTF:

    rule prepare_annotation:
        input:
            SOURCE_GTF,
        output:
            "resources/reference/annotation.gtf",
        log:
            "logs/reference/prepare_annotation.log",
        cache: "omit-software"
        conda:
            "../../envs/samtools.yaml"
        resources:
            mem_mb=1000,
            runtime=10,
        shell:
            "(gzip -cdf {input} > {output} || (echo {input:q}': the gzip data is truncated or"
            " corrupt (gzip could not decompress it). Copy or download the file again.' >&2;"
            " exit 1)) 2> {log}"

    rule gene_table:
        input:
            gtf="resources/reference/annotation.gtf",
        output:
            "resources/reference/genes.tsv",
        log:
            "logs/reference/gene_table.log",
        conda:
            "../../envs/python.yaml"
        resources:
            mem_mb=4000,
            runtime=10,
        script:
            "../scripts/gene_table.py"
