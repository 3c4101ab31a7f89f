"""MultiQC sections of the plots: self-describing custom-content HTML files.

Each plot type becomes one MultiQC section, written as
``results/multiqc/custom/{section id}_mqc.html``: an HTML comment holding the YAML
section config (``id``, ``section_name``, ``description``, ``plot_type: html``), then
the PNG(s) embedded as base64 images, so that MultiQC renders them with no extra
configuration (only ``custom_content: order`` to place them). Per-contrast plots
(volcano, MA) share one section: one collapsible entry per contrast, the first open,
at most :data:`MAX_EMBEDDED` of them (the note names the folder holding them all).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drugsig.io import write_text_atomic
from drugsig.report.multiqc import embedded_png, html_section
from drugsig.report.plots.samples import N_TOP
from drugsig.report.plots.signatures import MAX_GENES
from drugsig.report.plots.summaries import FDR

#: Per-contrast sections embed at most this many plots (keeps the report light).
MAX_EMBEDDED = 50


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
    """The section of each plot type (keys: plot names, as in ``results/plots``)."""
    thresholds = (
        f"padj < {signatures_cfg['padj']:g} and |log2 fold change| >= "
        f"{signatures_cfg['min_abs_log2fc']:g}"
    )
    return {
        "pca": Section(
            "plot_pca",
            "Sample PCA",
            "Each point is a sample, placed on the two main axes of variation of its "
            f"expression profile (variance-stabilised counts of the {N_TOP} most variable "
            "genes): replicates should cluster together, and a sample far from its group "
            "may be an outlier or mislabelled.",
        ),
        "sample_distances": Section(
            "plot_sample_distances",
            "Sample distances",
            "How different every pair of samples is over all genes (Euclidean distance of "
            "variance-stabilised counts; dark = similar), samples ordered by hierarchical "
            "clustering: replicates should form dark blocks on the diagonal.",
        ),
        "volcano": Section(
            "plot_volcano",
            "Volcano plots",
            "One plot per contrast: each dot is a gene, its fold change (treatment vs "
            f"reference) against its significance. Signature genes ({thresholds}, dashed "
            "lines) are red (up) or blue (down); marker genes are labelled when they are "
            "signature genes, else ringed and listed.",
        ),
        "ma": Section(
            "plot_ma",
            "MA plots",
            "One plot per contrast: the fold change of every tested gene against its mean "
            "expression, to see whether changes depend on expression level; colours and "
            "marker genes as in the volcano plots.",
        ),
        "signature_heatmap": Section(
            "plot_signature_heatmap",
            "Signature heatmap",
            f"Expression of the strongest signature genes (at most {MAX_GENES}, by |log2 fold "
            "change|) in every sample, as z-scores of variance-stabilised counts (red: above "
            "the gene's average, blue: below), samples grouped by cell line and condition.",
        ),
        "signature_overlap": Section(
            "plot_signature_overlap",
            "Signature overlap",
            "For each cell line, how many signature genes its drug treatments share: each "
            "bar counts the genes in exactly the combination of signatures marked by the "
            "dots below, split by direction.",
        ),
        "enrichment": Section(
            "plot_enrichment",
            "Gene-set enrichment plot",
            "Pre-ranked GSEA of every contrast: colour = normalised enrichment score (red: "
            "the set's genes go up in the treatment, blue: down), dot size = significance, "
            f"black ring = FDR < {FDR:g}.",
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


def _image(path: Path, alt: str) -> str:
    return embedded_png(path.read_bytes(), alt, 'style="max-width: 100%; height: auto;" /')


def _location(paths: Sequence[Path]) -> str:
    """Where the plot files are, for the description."""
    if len(paths) == 1:
        stem = paths[0].with_suffix("")
        return f"{stem}.png and {stem}.svg"
    return f"{paths[0].parent}/ (a PNG and an SVG per contrast)"


def section_html(section: Section, images: Sequence[str | Path]) -> str:
    """MultiQC custom content HTML of one section.

    Parameters
    ----------
    section
        The section's id, title and description.
    images
        Its PNG files; several are captioned by their file name stem (the contrast).
    """
    paths = [Path(image) for image in images]
    description = f"{section.description} Files: {_location(paths)}."
    if len(paths) > MAX_EMBEDDED:
        description += f" Showing the first {MAX_EMBEDDED} of {len(paths)} contrasts."
    config = {
        "id": section.id,
        "section_name": section.name,
        "description": description,
        "plot_type": "html",
    }
    if len(paths) == 1:
        body = f'<div class="mqc-custom-content-image">{_image(paths[0], section.name)}</div>'
    else:
        body = "\n".join(
            f"<details{' open' if i == 0 else ''}><summary>{html.escape(path.stem)}</summary>"
            f"{_image(path, f'{section.name}: {path.stem}')}</details>"
            for i, path in enumerate(paths[:MAX_EMBEDDED])
        )
    return html_section(config, body)


def write_multiqc_sections(
    plots: Mapping[str, str | Sequence[str]],
    outputs: Mapping[str, str | Path],
    signatures_cfg: Mapping[str, Any],
) -> None:
    """Write the MultiQC HTML section of each plot type.

    Parameters
    ----------
    plots
        ``{plot name: PNG path or paths}`` (names as in :func:`sections`).
    outputs
        ``{plot name: output path}`` (``results/multiqc/custom/{id}_mqc.html``).
    signatures_cfg
        The validated ``signatures`` config section (thresholds in descriptions).
    """
    described = sections(signatures_cfg)
    for name, path in outputs.items():
        images = [plots[name]] if isinstance(plots[name], str) else list(plots[name])
        write_text_atomic(section_html(described[name], images), path)
