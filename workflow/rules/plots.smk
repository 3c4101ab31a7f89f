# Figures (PNG + SVG) under results/plots, and their MultiQC sections (HTML custom
# content under results/multiqc/custom, ids plot_{name}).

PLOT_FORMATS = (".png", ".svg")
# Plot name -> its figure files without the suffix ({contrast}: one per contrast).
PLOTS = {
    "pca": "results/plots/pca",
    "sample_distances": "results/plots/sample_distances",
    "volcano": "results/plots/volcano/{contrast}",
    "ma": "results/plots/ma/{contrast}",
    "signature_heatmap": "results/plots/signature_heatmap",
    "signature_overlap": "results/plots/signature_overlap",
    "enrichment": "results/plots/enrichment",
    "resistance_panel": "results/plots/resistance_panel",
}


# Volcano and MA plots of every contrast: one job, and its index lists the files.
CONTRAST_PLOTS = ("volcano", "ma")
CONTRAST_PLOT_INDEX = "results/plots/contrast_plots.tsv"
# The PNG files of each plot (all contrasts' for per-contrast plots).
PLOT_PNGS = {
    name: expand(f"{path}.png", contrast=CONTRAST_NAMES) for name, path in PLOTS.items()
}
# MultiQC custom content written here (the MultiQC rule needs them as inputs).
PLOT_REPORT_SECTIONS = {
    name: f"results/multiqc/custom/plot_{name}_mqc.html" for name in PLOTS
}
# Every plot (PNG and SVG; per-contrast plots through their index), the VST table
# and the MultiQC sections, for `rule all`.
PLOT_OUTPUTS = [
    "results/plots/vst_counts.tsv",
    *(
        f"{path}{suffix}"
        for name, path in PLOTS.items()
        if name not in CONTRAST_PLOTS
        for suffix in PLOT_FORMATS
    ),
    CONTRAST_PLOT_INDEX,
    *PLOT_REPORT_SECTIONS.values(),
]


rule plot_samples:
    input:
        counts="results/counts/counts.tsv",
        samples=config["samples"],
    output:
        vst="results/plots/vst_counts.tsv",
        pca=multiext(PLOTS["pca"], *PLOT_FORMATS),
        distances=multiext(PLOTS["sample_distances"], *PLOT_FORMATS),
    log:
        "logs/plots/samples.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=per_sample_mem_mb(2000, 20),
        runtime=60,
    params:
        genotype_column=config["diffexp"]["genotype_column"],
    script:
        "../scripts/plot_samples.py"


rule plot_contrasts:
    input:
        contrasts="results/de/contrasts.tsv",
    output:
        **{
            name: expand(
                f"{PLOTS[name]}{{suffix}}",
                contrast=CONTRAST_NAMES,
                suffix=PLOT_FORMATS,
            )
            for name in CONTRAST_PLOTS
        },
        index=CONTRAST_PLOT_INDEX,
    log:
        "logs/plots/contrasts.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=15 + len(CONTRAST_NAMES),
    params:
        contrasts=CONTRAST_NAMES,
        de_tables=DE_TABLES,
        formats=PLOT_FORMATS,
        signatures=config["signatures"],
    script:
        "../scripts/plot_contrasts.py"


rule plot_signatures:
    input:
        cross_drug="results/signatures/cross_drug.tsv",
        contrasts="results/de/contrasts.tsv",
        vst="results/plots/vst_counts.tsv",
        samples=config["samples"],
    output:
        heatmap=multiext(PLOTS["signature_heatmap"], *PLOT_FORMATS),
        overlap=multiext(PLOTS["signature_overlap"], *PLOT_FORMATS),
    log:
        "logs/plots/signatures.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=per_sample_mem_mb(1000, 5),
        runtime=15,
    params:
        signature_tables=SIGNATURE_TABLES,
        signatures=config["signatures"],
        genotype_column=config["diffexp"]["genotype_column"],
    script:
        "../scripts/plot_signatures.py"


rule plot_enrichment:
    input:
        summary="results/genesets/summary.tsv",
    output:
        plots=multiext(PLOTS["enrichment"], *PLOT_FORMATS),
    log:
        "logs/plots/enrichment.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/plot_enrichment.py"


rule plot_resistance:
    input:
        panel="results/resistance/panel.tsv",
    output:
        plots=multiext(PLOTS["resistance_panel"], *PLOT_FORMATS),
    log:
        "logs/plots/resistance.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/plot_resistance.py"


rule plot_multiqc:
    input:
        **{name: PLOT_PNGS[name] for name in PLOTS if name not in CONTRAST_PLOTS},
        contrast_plots=CONTRAST_PLOT_INDEX,
    output:
        **PLOT_REPORT_SECTIONS,
    log:
        "logs/plots/multiqc.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        contrast_pngs={name: PLOT_PNGS[name] for name in CONTRAST_PLOTS},
        signatures=config["signatures"],
    script:
        "../scripts/plot_multiqc.py"
