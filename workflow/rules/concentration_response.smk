# Concentration-response pharmacology of expression: per concentration series (cell
# line x genotype x drug x time, >= concentration_response.min_concentrations non-zero
# concentrations + vehicle) BMC/BMCL/BMCU/EC50 per gene, pathway BMCs, tPOD, potency
# between drugs and the cytotoxicity window (drugsig.concentration_response).
from drugsig.concentration_response import find_series

CR_SETTINGS = config["concentration_response"]
# Bad doses (not a number, negative, unknown unit, a vehicle with a dose) stop the run
# now; series that cannot be modelled are logged by the fit job.
try:
    find_series(
        SAMPLES,
        config["diffexp"]["vehicle"],
        CR_SETTINGS["unit"],
        config["diffexp"]["genotype_column"],
        CR_SETTINGS["min_concentrations"],
        config["samples"],
    )
except InputError as error:
    sys.exit(f"Error: {error}")
CR_DIR = "results/concentration_response"
# The DESeq2 likelihood-ratio test of the DE stage selects the responsive genes when it
# runs (diffexp.lrt); otherwise the fallback trend test does.
CR_LRT = ["results/de/lrt/series.tsv"] if config["diffexp"]["lrt"] else []
CR_VIABILITY = ["results/viability/fits.tsv"] if "viability" in config else []
CR_PLOTS = {
    f"{name}_{suffix}": f"{CR_DIR}/{name}.{suffix}"
    for name in ("curves", "accumulation", "potency", "selectivity")
    for suffix in ("png", "svg")
}
# MultiQC custom content written here (the MultiQC rule needs them as inputs).
CR_REPORT_SECTIONS = {
    f"mqc_{name}": f"results/multiqc/custom/concentration_response_{name}_mqc.json"
    for name in ("series", "tpod", "potency", "curves", "accumulation")
}
CR_TABLES = {
    name: f"{CR_DIR}/{name}.tsv"
    for name in ("pathways", "tpod", "potency", "accumulation")
}
CR_REPORT_FILES = list(CR_REPORT_SECTIONS.values()) if CR_SETTINGS["enabled"] else []
# Every result of the stage (MultiQC sections included), for `rule all`.
CR_OUTPUTS = (
    [
        f"{CR_DIR}/genes.tsv",
        f"{CR_DIR}/series.tsv",
        f"{CR_DIR}/samples.tsv",
        *CR_TABLES.values(),
        *CR_PLOTS.values(),
        *CR_REPORT_SECTIONS.values(),
    ]
    if CR_SETTINGS["enabled"]
    else []
)


rule concentration_response_fit:
    input:
        samples=config["samples"],
        vst="results/plots/vst_counts.tsv",
        lrt=CR_LRT,
        viability=CR_VIABILITY,
    output:
        genes=f"{CR_DIR}/genes.tsv",
        series=f"{CR_DIR}/series.tsv",
        samples=f"{CR_DIR}/samples.tsv",
    log:
        "logs/concentration_response/fit.log",
    benchmark:
        "results/benchmarks/concentration_response_fit.tsv"
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=per_sample_mem_mb(2000, 20),
        runtime=60,
    params:
        settings=CR_SETTINGS,
        vehicle=config["diffexp"]["vehicle"],
        genotype_column=config["diffexp"]["genotype_column"],
    script:
        "../scripts/concentration_response.py"


rule concentration_response_summary:
    input:
        genes=f"{CR_DIR}/genes.tsv",
        series=f"{CR_DIR}/series.tsv",
        samples_used=f"{CR_DIR}/samples.tsv",
        samples=config["samples"],
        vst="results/plots/vst_counts.tsv",
        gmt=GENESET_GMTS,
        viability=CR_VIABILITY,
    output:
        **{
            **CR_TABLES,
            **CR_PLOTS,
            **CR_REPORT_SECTIONS,
            # the same files, flagged for the Snakemake report
            "tpod": report(
                CR_TABLES["tpod"],
                caption="../report/concentration_response.rst",
                category="6. Dose and time response",
                labels={"table": "tPOD"},
            ),
            "potency": report(
                CR_TABLES["potency"],
                caption="../report/concentration_response.rst",
                category="6. Dose and time response",
                labels={"table": "potency"},
            ),
            "curves_png": report(
                CR_PLOTS["curves_png"],
                caption="../report/concentration_response.rst",
                category="6. Dose and time response",
                labels={"figure": "concentration-response curves"},
            ),
            "accumulation_png": report(
                CR_PLOTS["accumulation_png"],
                caption="../report/concentration_response.rst",
                category="6. Dose and time response",
                labels={"figure": "BMC accumulation"},
            ),
        },
    log:
        "logs/concentration_response/summary.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        settings=CR_SETTINGS,
        reference=config["comparison"]["reference"],
    script:
        "../scripts/concentration_response_summary.py"
