"""MultiQC sections of the static plots: self-describing custom-content HTML files.

Each plot below becomes one MultiQC section, written as
``results/multiqc/custom/{section id}_mqc.html``: an HTML comment holding the YAML
section config (``id``, ``section_name``, ``description``, ``plot_type: html``), then
the PNG embedded as a base64 image, so that MultiQC renders it with no extra
configuration (only ``custom_content: order`` to place it).

The PCA, volcano and MA plots are not here: they are native, interactive MultiQC
plots written by the jobs that draw them (:func:`drugsig.report.plots.samples.write_pca_section`,
:func:`drugsig.report.plots.contrasts.write_contrast_sections`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drugsig.io import write_text_atomic
from drugsig.report.multiqc import embedded_png, html_section
from drugsig.report.plots.signatures import MAX_GENES, MAX_INTERSECTIONS
from drugsig.report.plots.summaries import FDR, MAX_SETS


@dataclass(frozen=True)
class Section:
    """A MultiQC section of one plot type.

    Attributes
    ----------
    id
        MultiQC section id (for ``custom_content: order``); also the file name stem.
    name
        Section title.
    description
        What the plot shows, for a biologist, in a sentence or two.
    """

    id: str
    name: str
    description: str


def sections(signatures_cfg: Mapping[str, Any]) -> dict[str, Section]:
    """Map each plot type to its section (keys: plot names, as in ``results/plots``)."""
    thresholds = (
        f"padj < {signatures_cfg['padj']:g} and |log2 fold change| >= "
        f"{signatures_cfg['min_abs_log2fc']:g}"
    )
    return {
        "sample_distances": Section(
            "plot_sample_distances",
            "Sample distances",
            "How different every pair of samples is over all genes (Euclidean distance of "
            "variance-stabilised counts; dark = similar), samples ordered by hierarchical "
            "clustering: replicates should form dark blocks on the diagonal.",
        ),
        "signature_heatmap": Section(
            "plot_signature_heatmap",
            "Signature heatmap",
            f"Expression of the strongest signature genes ({thresholds} in any contrast; "
            f"at most {MAX_GENES}, largest |log2 fold change| first, clustered) in every "
            "sample, as z-scores of variance-stabilised counts (red: above the gene's "
            "average, blue: below), samples grouped by cell line and condition.",
        ),
        "signature_overlap": Section(
            "plot_signature_overlap",
            "Signature overlap",
            "For each cell line (and time point, when it has several), how many signature "
            "genes its drug treatments share: each bar on top counts the genes in exactly "
            "the combination of signatures marked by the dots below (at most "
            f"{MAX_INTERSECTIONS} largest combinations), split by direction; the bars at the "
            "left are the signature sizes.",
        ),
        "enrichment": Section(
            "plot_enrichment",
            "Gene-set enrichment plot",
            f"Pre-ranked GSEA of every contrast (at most {MAX_SETS} gene sets, those with the "
            "smallest FDR in any contrast): colour = normalised enrichment score (red: the "
            "set's genes go up in the treatment, blue: down), dot size = -log10 FDR, black "
            f"ring = FDR < {FDR:g}.",
        ),
        "resistance_panel": Section(
            "plot_resistance_panel",
            "Resistance mechanisms plot",
            "For each resistant line vs its parental line: every candidate resistance "
            "mechanism with its call, and the fold change of each piece of evidence, "
            "coloured by whether it supports the mechanism (orange), argues against it "
            "(purple) or neither (grey).",
        ),
    }


def section_html(section: Section, image: str | Path) -> str:
    """MultiQC custom content HTML of one section: its description and embedded PNG."""
    path = Path(image)
    stem = path.with_suffix("")
    config = {
        "id": section.id,
        "section_name": section.name,
        "description": f"{section.description} Files: {stem}.png and {stem}.svg.",
        "plot_type": "html",
    }
    tag = embedded_png(path.read_bytes(), section.name, 'style="max-width: 100%; height: auto;" /')
    return html_section(config, f'<div class="mqc-custom-content-image">{tag}</div>')


def write_multiqc_sections(
    plots: Mapping[str, str | Path],
    outputs: Mapping[str, str | Path],
    signatures_cfg: Mapping[str, Any],
) -> None:
    """Write the MultiQC HTML section of each plot.

    Parameters
    ----------
    plots
        ``{plot name: PNG path}`` (names as in :func:`sections`).
    outputs
        ``{plot name: output path}`` (``results/multiqc/custom/{id}_mqc.html``).
    signatures_cfg
        The validated ``signatures`` config section (thresholds in descriptions).
    """
    described = sections(signatures_cfg)
    for name, path in outputs.items():
        write_text_atomic(section_html(described[name], plots[name]), path)
