# Figures (PNG + SVG) under results/plots, and their MultiQC sections (custom content
# under results/multiqc/custom, ids plot_{name}): interactive scatter plots (JSON) for
# the PCA, volcano and MA plots, the embedded PNG (HTML) for the others.

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
# The Snakemake report (--report) shows the volcano and MA plots of the first contrasts
# only (each report file costs time; all are in the MultiQC report and results/plots).
REPORT_CONTRASTS = CONTRAST_NAMES[:10]
REPORT_CATEGORIES = {
    "pca": "2. Samples",
    "sample_distances": "2. Samples",
    "volcano": "3. Differential expression",
    "ma": "3. Differential expression",
    "signature_heatmap": "4. Signatures",
    "signature_overlap": "4. Signatures",
    "enrichment": "5. Gene sets and resistance",
    "resistance_panel": "5. Gene sets and resistance",
}
CONTRAST_REPORT_SUBCATEGORY = {"volcano": "Volcano plots", "ma": "MA plots"}
if len(REPORT_CONTRASTS) < len(CONTRAST_NAMES):
    CONTRAST_REPORT_SUBCATEGORY = {
        name: f"{title} (first {len(REPORT_CONTRASTS)} of {len(CONTRAST_NAMES)} contrasts)"
        for name, title in CONTRAST_REPORT_SUBCATEGORY.items()
    }
# Each plot's files: PNG and SVG (of every contrast for per-contrast plots), the PNGs
# flagged for the Snakemake report (captions: workflow/report/{plot name}.rst).
PLOT_FILES = {}
for _plot, _path in PLOTS.items():
    PLOT_FILES[_plot] = []
    for _contrast in CONTRAST_NAMES if _plot in CONTRAST_PLOTS else [None]:
        _stem = _path.format(contrast=_contrast)  # unchanged without {contrast}
        _png = f"{_stem}.png"
        if _contrast is None or _contrast in REPORT_CONTRASTS:
            _png = report(
                _png,
                caption=f"../report/{_plot}.rst",
                category=REPORT_CATEGORIES[_plot],
                subcategory=CONTRAST_REPORT_SUBCATEGORY.get(_plot),
                labels=(
                    {"figure": _plot.replace("_", " ")}
                    if _contrast is None
                    else {"contrast": _contrast, "figure": _plot}
                ),
            )
        PLOT_FILES[_plot] += [_png, f"{_stem}.svg"]

# Plots shown in MultiQC as native interactive scatter plots, written by the jobs that
# draw them; the others' PNG is embedded in an HTML section.
INTERACTIVE_PLOTS = ("pca", "volcano", "ma")
# MultiQC custom content written here (the MultiQC rule needs them as inputs).
PLOT_REPORT_SECTIONS = {
    name: f"results/multiqc/custom/plot_{name}_mqc."
    + ("json" if name in INTERACTIVE_PLOTS else "html")
    for name in PLOTS
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
        pca=PLOT_FILES["pca"],
        distances=PLOT_FILES["sample_distances"],
        pca_section=PLOT_REPORT_SECTIONS["pca"],
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
        **{name: PLOT_FILES[name] for name in CONTRAST_PLOTS},
        index=CONTRAST_PLOT_INDEX,
        volcano_section=PLOT_REPORT_SECTIONS["volcano"],
        ma_section=PLOT_REPORT_SECTIONS["ma"],
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
        heatmap=PLOT_FILES["signature_heatmap"],
        overlap=PLOT_FILES["signature_overlap"],
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
        plots=PLOT_FILES["enrichment"],
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
        plots=PLOT_FILES["resistance_panel"],
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
        **{
            name: f"{path}.png"
            for name, path in PLOTS.items()
            if name not in INTERACTIVE_PLOTS
        },
    output:
        **{
            name: path
            for name, path in PLOT_REPORT_SECTIONS.items()
            if name not in INTERACTIVE_PLOTS
        },
    log:
        "logs/plots/multiqc.log",
    conda:
        "../../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        signatures=config["signatures"],
    script:
        "../scripts/plot_multiqc.py"
