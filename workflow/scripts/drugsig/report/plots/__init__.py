"""Figures of the workflow (PNG and SVG) and their MultiQC sections.

Modules: :mod:`~drugsig.report.plots.style` (shared style and saving),
:mod:`~drugsig.report.plots.samples` (variance-stabilised counts, PCA, sample distances),
:mod:`~drugsig.report.plots.contrasts` (volcano and MA plots),
:mod:`~drugsig.report.plots.signatures` (signature heatmap and overlap),
:mod:`~drugsig.report.plots.summaries` (gene-set enrichment and resistance panel) and
:mod:`~drugsig.report.plots.report` (the MultiQC sections).
"""
