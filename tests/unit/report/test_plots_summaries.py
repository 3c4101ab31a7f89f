import numpy as np
import pandas as pd
from matplotlib.colors import to_hex
from unit_shared import png_size, svg_text

from drugsig.analysis.genesets import SUMMARY_COLUMNS
from drugsig.analysis.resistance import PANEL_COLUMNS
from drugsig.report.plots.summaries import (
    CALL_COLOURS,
    MAX_SETS,
    enrichment_figure,
    resistance_figure,
    write_enrichment_plot,
    write_resistance_plot,
)

NAN = float("nan")


def gsea_summary(n_sets: int = 4) -> pd.DataFrame:
    """Tidy GSEA results: SET_0 is the most significant set, SET_{n-1} the least."""
    nes, fdr = np.linspace(-2, 2, n_sets), np.geomspace(1e-3, 0.9, n_sets)
    rows = [
        (contrast, f"SET_{i}", "curated", nes[i] * scale, fdr[i])
        for contrast, scale in (("A_vs_DMSO", 1.0), ("B_vs_DMSO", -0.5))
        for i in range(n_sets)
    ]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def panel() -> pd.DataFrame:
    rows = [
        ("RB1 loss", "RB1", "gene", "down", -2.8, 1e-12, NAN, "supports"),
        ("CCNE1/CDK2 up", "CCNE1", "gene", "up", 0.2, 0.7, NAN, "no evidence"),
        ("CCNE1/CDK2 up", "CDK2", "gene", "up", NAN, NAN, NAN, "no evidence"),
        ("PI3K/AKT/mTOR activation", "PI3K_SET", "gene set", "up", -0.5, 0.01, -1.9, "against"),
    ]
    table = pd.DataFrame(
        [("R1_vs_parental", *row) for row in rows] + [("R2_vs_parental", *row) for row in rows],
        columns=[column for column in PANEL_COLUMNS if column != "gene_id"],
    )
    table.insert(5, "gene_id", "")
    return table[PANEL_COLUMNS]


def test_enrichment_dots_size_and_ring_by_fdr():
    summary = gsea_summary()
    summary = summary[~((summary["contrast"] == "B_vs_DMSO") & (summary["set"] == "SET_3"))]
    figure = enrichment_figure(summary, fdr=0.05)
    axes = figure.axes[0]
    (dots,) = axes.collections
    assert len(dots.get_offsets()) == 7  # the untested set of contrast B has no dot
    ringed = [to_hex(colour) == "#000000" and alpha > 0 for *colour, alpha in dots.get_edgecolors()]
    assert sum(ringed) == int((summary["fdr"] < 0.05).sum()) == 4
    rows = [tick.get_text() for tick in axes.get_yticklabels()]
    sizes = dict(zip(map(tuple, dots.get_offsets()), dots.get_sizes(), strict=True))
    assert sizes[(0, rows.index("SET_0"))] == max(sizes.values())
    assert {tick.get_text() for tick in axes.get_yticklabels()} == {f"SET_{i}" for i in range(4)}
    assert [tick.get_text() for tick in axes.get_xticklabels()] == ["A_vs_DMSO", "B_vs_DMSO"]


def test_enrichment_keeps_the_sets_with_the_smallest_fdr():
    figure = enrichment_figure(gsea_summary(n_sets=60))
    axes = figure.axes[0]
    shown = {tick.get_text() for tick in axes.get_yticklabels()}
    assert shown == {f"SET_{i}" for i in range(MAX_SETS)}
    assert "the 40 of 60 sets with the smallest FDR" in axes.get_title()


def test_enrichment_without_results():
    figure = enrichment_figure(pd.DataFrame(columns=SUMMARY_COLUMNS))
    assert figure.axes[0].texts[0].get_text() == "No gene set could be tested."


def test_resistance_bars_are_coloured_by_call():
    figure = resistance_figure(panel())
    assert [axes.get_title() for axes in figure.axes] == ["R1_vs_parental", "R2_vs_parental"]
    axes = figure.axes[0]
    labels = [tick.get_text() for tick in axes.get_yticklabels()]
    assert labels == [
        "RB1 loss",
        "RB1 (expected down)",
        "CCNE1/CDK2 up",
        "CCNE1 (expected up)",
        "CDK2 (expected up)",
        "PI3K/AKT/mTOR activation",
        "PI3K_SET (gene set, expected up)",
    ]
    bars = {round(patch.get_y() + patch.get_height() / 2): patch for patch in axes.patches}
    assert to_hex(bars[1].get_facecolor()) == CALL_COLOURS["supports"]
    assert bars[1].get_width() == -2.8
    assert to_hex(bars[6].get_facecolor()) == CALL_COLOURS["against"]
    assert bars[4].get_width() == 0
    texts = [text.get_text() for text in axes.texts]
    assert texts[:2] == ["supports", "padj 1e-12"]
    assert "no evidence" in texts and "not in DE table" in texts and "NES -1.90, FDR 0.01" in texts


def test_resistance_without_genotype_contrasts():
    figure = resistance_figure(pd.DataFrame(columns=PANEL_COLUMNS))
    assert figure.axes[0].texts[0].get_text() == "There are no genotype contrasts."


def test_write_summary_plots(tmp_path):
    gsea_summary().to_csv(tmp_path / "summary.tsv", sep="\t", index=False)
    panel().to_csv(tmp_path / "panel.tsv", sep="\t", index=False)
    write_enrichment_plot(tmp_path / "summary.tsv", [tmp_path / "e.png", tmp_path / "e.svg"])
    write_resistance_plot(tmp_path / "panel.tsv", [tmp_path / "r.png", tmp_path / "r.svg"])
    assert png_size(tmp_path / "e.png")[0] > 800 and png_size(tmp_path / "r.png")[0] > 800
    assert {"SET_0", "A_vs_DMSO", "ring: FDR < 0.05"} <= set(
        svg_text(tmp_path / "e.svg").splitlines()
    )
    assert {"RB1 loss", "supports", "against"} <= set(svg_text(tmp_path / "r.svg").splitlines())
