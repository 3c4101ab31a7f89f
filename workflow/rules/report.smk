# MultiQC report: tool QC plus the workflow's own sections as custom content.


rule report_tables:
    input:
        contrasts="results/de/contrasts.tsv",
        marker_panel="results/signatures/marker_panel.tsv",
    output:
        de_summary="results/multiqc/custom/de_summary_mqc.tsv",
        marker_panel="results/multiqc/custom/marker_panel_mqc.tsv",
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
        multiqc_inputs(),
        config=f"{workflow.basedir}/workflow/report/multiqc_config.yaml",
    output:
        "results/multiqc/multiqc_report.html",
        directory("results/multiqc/multiqc_report_data"),
    log:
        "logs/multiqc.log",
    conda:
        "../../envs/multiqc.yaml"
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        folders=multiqc_folders(),
    shell:
        "multiqc --force --no-ansi --config {input.config} --outdir results/multiqc "
        "--filename multiqc_report.html {params.folders} > {log} 2>&1"
