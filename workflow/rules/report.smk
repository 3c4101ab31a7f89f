# MultiQC report: tool QC plus the workflow's own sections as custom content; and the
# landing page of the Snakemake report (`snakemake --report report.zip`), whose files
# are the outputs flagged with report() in the rules (captions: workflow/report/*.rst).


report: "../report/workflow.rst"


# Tool reports and custom content the MultiQC report is built from (rule inputs, for
# the DAG), and what MultiQC searches: the custom content files by name (a file left
# in results/multiqc/custom by an older version is not shown) and the QC folder.
MULTIQC_INPUTS = [
    "results/multiqc/custom/de_summary_mqc.tsv",
    "results/multiqc/custom/marker_panel_mqc.tsv",
    "results/multiqc/custom/lrt_series_mqc.tsv",
    "results/multiqc/custom/excluded_samples_mqc.html",
    *ANALYSIS_REPORT_TABLES,
    *CR_REPORT_FILES,
    *PLOT_REPORT_SECTIONS.values(),
    *ASSAY_OUTPUTS,
]
if not COUNTS_MODE:
    MULTIQC_INPUTS += [
        *(["results/qc/raw_reads.tsv"] if CHECK_CHUNKS else []),
        "results/multiqc/custom/sample_qc_mqc.tsv",
        *expand("results/qc/samples/{sample}", sample=SAMPLE_NAMES),
    ]
MULTIQC_FOLDERS = [
    *(["results/qc"] if not COUNTS_MODE else []),
    *(path for path in MULTIQC_INPUTS if path.startswith("results/multiqc/custom/")),
]


rule report_tables:
    input:
        contrasts="results/de/contrasts.tsv",
        marker_panel="results/signatures/marker_panel.tsv",
    output:
        de_summary="results/multiqc/custom/de_summary_mqc.tsv",
        marker_panel="results/multiqc/custom/marker_panel_mqc.tsv",
        de_summary_table=report(
            "results/de_summary.tsv",
            caption="../report/de_summary.rst",
            category="3. Differential expression",
            labels={"table": "DE summary"},
        ),
    log:
        "logs/report_tables.log",
    conda:
        "../../envs/python.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        de_tables=DE_TABLES,
        signatures=config["signatures"],
    script:
        "../scripts/report_tables.py"


rule multiqc:
    input:
        MULTIQC_INPUTS,
        config=f"{workflow.basedir}/workflow/report/multiqc_config.yaml",
        css=f"{workflow.basedir}/workflow/report/multiqc.css",
    output:
        report(
            "results/multiqc/multiqc_report.html",
            caption="../report/multiqc.rst",
            category="1. Quality control",
            labels={"report": "MultiQC"},
        ),
        directory("results/multiqc/multiqc_report_data"),
    log:
        "logs/multiqc.log",
    conda:
        "../../envs/multiqc.yaml"
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        folders=MULTIQC_FOLDERS,
    shell:
        "multiqc --force --no-ansi --config {input.config} "
        "--cl-config 'custom_css_files: [\"{input.css}\"]' --outdir results/multiqc "
        "--filename multiqc_report.html {params.folders} > {log} 2>&1"
