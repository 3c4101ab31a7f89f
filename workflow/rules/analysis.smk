# Downstream analyses of the DE tables: gene-set enrichment, cross-drug comparison,
# resistance-mechanism panel and dose/time-response genes.
from drugsig.analysis.genesets import CURATED_GMT, load_gene_sets

# The curated sets ship with the drugsig package; user GMT paths are relative to the workdir.
GENESET_GMTS = [
    str(CURATED_GMT),
    *config["genesets"]["gmt"],
]
# GMT files are small: read them now, so a bad one stops the run before any job.
try:
    load_gene_sets(GENESET_GMTS)
except InputError as error:
    sys.exit(f"Error: {error}")
# MultiQC custom content written here (the MultiQC rule needs them as inputs).
ANALYSIS_REPORT_TABLES = [
    "results/multiqc/custom/genesets_nes_mqc.tsv",
    "results/multiqc/custom/compare_relative_response_mqc.tsv",
    "results/multiqc/custom/compare_similarity_mqc.tsv",
    "results/multiqc/custom/resistance_panel_mqc.tsv",
]


# Every result of the analysis rules (MultiQC tables included), for `rule all`; the
# per-contrast tables come with summary.tsv (see DE_TABLES in common.smk).
ANALYSIS_OUTPUTS = [
    "results/genesets/summary.tsv",
    "results/genesets/nes_matrix.tsv",
    "results/compare/core_signature.tsv",
    "results/compare/drug_specific.tsv",
    "results/compare/similarity.tsv",
    "results/compare/relative_response.tsv",
    "results/resistance/panel.tsv",
    "results/resistance/mechanisms.tsv",
    "results/dose_response/dose_response.tsv",
    "results/dose_response/time_response.tsv",
    *ANALYSIS_REPORT_TABLES,
]


rule genesets:
    input:
        contrasts="results/de/contrasts.tsv",
        gmt=GENESET_GMTS,
    output:
        results=GENESET_TABLES,
        summary="results/genesets/summary.tsv",
        matrix="results/genesets/nes_matrix.tsv",
        mqc="results/multiqc/custom/genesets_nes_mqc.tsv",
    log:
        "logs/genesets.log",
    conda:
        "../../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        de_tables=DE_TABLES,
        genesets=config["genesets"],
    script:
        "../scripts/genesets.py"


rule compare_drugs:
    input:
        contrasts="results/de/contrasts.tsv",
    output:
        core="results/compare/core_signature.tsv",
        specific="results/compare/drug_specific.tsv",
        similarity=report(
            "results/compare/similarity.tsv",
            caption="../report/similarity.rst",
            category="4. Signatures",
            labels={"table": "similarity"},
        ),
        relative_response=report(
            "results/compare/relative_response.tsv",
            caption="../report/relative_response.rst",
            category="4. Signatures",
            labels={"table": "relative response"},
        ),
        mqc_relative_response="results/multiqc/custom/compare_relative_response_mqc.tsv",
        mqc_similarity="results/multiqc/custom/compare_similarity_mqc.tsv",
    log:
        "logs/compare_drugs.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        de_tables=DE_TABLES,
        signatures=config["signatures"],
        comparison=config["comparison"],
    script:
        "../scripts/compare.py"


rule resistance_panel:
    input:
        genesets_summary="results/genesets/summary.tsv",
        contrasts="results/de/contrasts.tsv",
        gmt=GENESET_GMTS,
    output:
        panel="results/resistance/panel.tsv",
        mechanisms="results/resistance/mechanisms.tsv",
        mqc="results/multiqc/custom/resistance_panel_mqc.tsv",
    log:
        "logs/resistance_panel.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        de_tables=DE_TABLES,
        geneset_tables=GENESET_TABLES,
        resistance=config["resistance"],
    script:
        "../scripts/resistance.py"


rule dose_response:
    input:
        contrasts="results/de/contrasts.tsv",
        samples=config["samples"],
        lrt="results/de/lrt/series.tsv",
    output:
        dose=report(
            "results/dose_response/dose_response.tsv",
            caption="../report/dose_response.rst",
            category="6. Dose and time response",
            labels={"table": "dose response"},
        ),
        time=report(
            "results/dose_response/time_response.tsv",
            caption="../report/time_response.rst",
            category="6. Dose and time response",
            labels={"table": "time response"},
        ),
    log:
        "logs/dose_response.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        de_tables=DE_TABLES,
        lrt_tables=LRT_TABLES,
        alpha=config["diffexp"]["alpha"],
        genotype_column=config["diffexp"]["genotype_column"],
        dose_response=config["dose_response"],
    script:
        "../scripts/dose_response.py"
