# Optional wet-lab assays, each run only when its config key is present:
# viability dose-response (IC50, fold resistance) and qRT-PCR ddCt with RNA-seq concordance.
from drugsig.assays.qpcr import read_qpcr
from drugsig.assays.viability import read_plates

# The assay tables are small: read and check them now, so a bad one stops the run
# before any job (the jobs read them again).
try:
    if "viability" in config:
        read_plates(config["viability"]["table"], config["viability"]["unit"])
    if "qpcr" in config:
        read_qpcr(
            config["qpcr"]["table"],
            config["samples"],
            config["qpcr"]["reference_genes"],
            config["qpcr"]["max_ct"],
        )
except InputError as error:
    sys.exit(f"Error: {error}")

VIABILITY_OUTPUTS = {
    "wells": "results/viability/normalised_wells.tsv",
    "fits": "results/viability/fits.tsv",
    "fold": "results/viability/fold_resistance.tsv",
    "plot": "results/viability/dose_response.png",
    "mqc_curves": "results/multiqc/custom/viability_curves_mqc.json",
    "mqc_fold": "results/multiqc/custom/viability_fold_resistance_mqc.json",
}
QPCR_OUTPUTS = {
    "dct": "results/qpcr/dct.tsv",
    "ddct": "results/qpcr/ddct.tsv",
    "concordance": "results/qpcr/concordance.tsv",
    "summary": "results/qpcr/concordance_summary.tsv",
    "plot": "results/qpcr/concordance.png",
    "mqc_table": "results/multiqc/custom/qpcr_ddct_mqc.json",
    "mqc_plot": "results/multiqc/custom/qpcr_concordance_mqc.json",
}


# Outputs of the configured assays (MultiQC custom content included), for `rule all`
# and the MultiQC rule.
ASSAY_OUTPUTS = [
    *(VIABILITY_OUTPUTS.values() if "viability" in config else []),
    *(QPCR_OUTPUTS.values() if "qpcr" in config else []),
]


if "viability" in config:

    rule viability_fit:
        input:
            table=config["viability"]["table"],
        output:
            **{
                **VIABILITY_OUTPUTS,
                # the same files, flagged for the Snakemake report
                "plot": report(
                    VIABILITY_OUTPUTS["plot"],
                    caption="../report/viability.rst",
                    category="7. Wet-lab assays",
                    labels={"figure": "viability"},
                ),
                "fold": report(
                    VIABILITY_OUTPUTS["fold"],
                    caption="../report/fold_resistance.rst",
                    category="7. Wet-lab assays",
                    labels={"table": "fold resistance"},
                ),
            },
        log:
            "logs/viability_fit.log",
        conda:
            "../../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            settings=config["viability"],
        script:
            "../scripts/viability.py"


if "qpcr" in config:

    rule qpcr_ddct:
        input:
            table=config["qpcr"]["table"],
            samples=config["samples"],
            contrasts="results/de/contrasts.tsv",
        output:
            **{
                **QPCR_OUTPUTS,
                # the same file, flagged for the Snakemake report
                "plot": report(
                    QPCR_OUTPUTS["plot"],
                    caption="../report/qpcr.rst",
                    category="7. Wet-lab assays",
                    labels={"figure": "qPCR concordance"},
                ),
            },
        log:
            "logs/qpcr_ddct.log",
        conda:
            "../../envs/python.yaml"
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        params:
            de_tables=DE_TABLES,
            settings=config["qpcr"],
        script:
            "../scripts/qpcr.py"
