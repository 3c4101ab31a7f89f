# drugsig: RNA-seq FASTQ -> differential expression -> per-drug gene signatures.
# Configuration: config/config.yaml (see README.md). Rules: workflow/rules/.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/reference.smk"


if COUNTS_MODE:

    include: "workflow/rules/counts_import.smk"

else:

    include: "workflow/rules/fastq_check.smk"
    include: f"workflow/rules/align_{config['aligner']}.smk"
    include: "workflow/rules/reads_to_counts.smk"
    include: "workflow/rules/qc.smk"


include: "workflow/rules/diffexp.smk"
include: "workflow/rules/signatures.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/concentration_response.smk"
include: "workflow/rules/plots.smk"
include: "workflow/rules/assays.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        # Per-contrast files come through the index files of their jobs (DE_TABLES in
        # common.smk); each stage's outputs are gathered where they are defined.
        "results/counts/counts.tsv",
        "results/de/contrasts.tsv",
        "results/de/lrt/series.tsv",
        "results/multiqc/custom/lrt_series_mqc.tsv",
        "results/signatures/cross_drug.tsv",
        "results/signatures/marker_panel.tsv",
        "results/multiqc/multiqc_report.html",
        ANALYSIS_OUTPUTS,
        CR_OUTPUTS,
        PLOT_OUTPUTS,
        ASSAY_OUTPUTS,
