"""Figures of the workflow (PNG and SVG) and their MultiQC sections.

Modules: :mod:`~drugsig.plots.style` (shared style and saving),
:mod:`~drugsig.plots.samples` (variance-stabilised counts, PCA, sample distances),
:mod:`~drugsig.plots.contrasts` (volcano and MA plots),
:mod:`~drugsig.plots.signatures` (signature heatmap and overlap),
:mod:`~drugsig.plots.summaries` (gene-set enrichment and resistance panel) and
:mod:`~drugsig.plots.report` (the MultiQC sections).
"""
