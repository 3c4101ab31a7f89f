import json

import numpy as np
import pandas as pd
import pytest
from unit_shared import TABLES, png_size, svg_text

from drugsig.errors import InputError
from drugsig.report.plots.contrasts import (
    classify,
    ma_figure,
    ma_points,
    report_genes,
    volcano_figure,
    volcano_points,
    write_all_contrast_plots,
    write_contrast_plots,
)

MARKERS = ["CDKN1A", "MDM2", "SESN1", "ABCB1", "RB1"]
SIGNATURES = {"padj": 0.05, "min_abs_log2fc": 1.0, "marker_genes": MARKERS}


def legend_lines(figure) -> list[str]:
    return [text.get_text() for legend in figure.legends for text in legend.get_texts()]


def test_classify():
    table = TABLES["C"].copy()
    table.loc[table["gene_id"] == "G9", "padj"] = np.nan
    by_gene = dict(zip(table["gene_id"], classify(table, 0.05, 1.0), strict=True))
    assert by_gene == {
        "G1": "up",
        "G3": "up",
        "G7": "down",  # no shrunken value: the MLE decides
        "G2": "down",
        "G5": "up",
        "G8": "ns",
        "G6": "ns",
        "G9": "untested",
    }


def test_volcano_labels_significant_markers_and_lists_the_others():
    figure = volcano_figure(TABLES["A"], "A", MARKERS, 0.05, 1.0)
    axes = figure.axes[0]
    assert sorted(text.get_text() for text in axes.texts) == ["CDKN1A", "MDM2"]
    lines = legend_lines(figure)
    assert lines[:4] == ["9 genes with a padj", "up (5)", "down (1)", "not significant (3)"]
    assert lines[lines.index("marker, not significant:") + 1] == "SESN1, ABCB1"
    assert lines[lines.index("not in this plot:") + 1] == "RB1"
    dashed = [line.get_xydata() for line in axes.lines if line.get_linestyle() == "--"]
    verticals = {points[0, 0] for points in dashed if np.ptp(points[:, 0]) == 0}
    assert verticals == {-1.0, 1.0}
    assert any(np.allclose(points[:, 1], -np.log10(0.05)) for points in dashed)


def test_volcano_draws_underflowing_padj_at_the_top():
    table = TABLES["A"].copy()
    table.loc[table["gene_id"] == "G1", "padj"] = 0.0
    axes = volcano_figure(table, "A", MARKERS, 0.05, 1.0).axes[0]
    heights = np.concatenate([c.get_offsets()[:, 1] for c in axes.collections])
    assert np.isfinite(heights).all()
    assert heights.max() > -np.log10(0.001)
    assert axes.get_ylim()[1] > heights.max()


def test_ma_plot_keeps_genes_without_padj():
    table = TABLES["A"].copy()
    table.loc[table["gene_id"] == "G9", "padj"] = np.nan
    figure = ma_figure(table, "A", MARKERS, 0.05, 1.0)
    lines = legend_lines(figure)
    assert lines[0] == "9 tested genes"
    assert "no padj (1)" in lines
    assert figure.axes[0].get_xscale() == "log"
    assert figure.axes[0].get_ylabel() == "log2 fold change (apeGLM-shrunken)"


def test_effect_label_without_shrinkage():
    figure = ma_figure(TABLES["A"].assign(log2FoldChange_shrunk=np.nan), "A", [], 0.05, 1.0)
    assert figure.axes[0].get_ylabel() == "log2 fold change"


@pytest.mark.parametrize("kind", ["volcano", "ma"])
def test_write_contrast_plots(tmp_path, kind):
    TABLES["A"].to_csv(tmp_path / "A.tsv", sep="\t", index=False)
    write_contrast_plots(
        tmp_path / "A.tsv",
        "SJSA-1_Nutlin-3a_vs_DMSO",
        SIGNATURES,
        [tmp_path / "volcano" / "A.png", tmp_path / "volcano" / "A.svg"],
        [tmp_path / "ma" / "A.png", tmp_path / "ma" / "A.svg"],
    )
    assert png_size(tmp_path / kind / "A.png")[0] > 800
    text = svg_text(tmp_path / kind / "A.svg")
    assert "SJSA-1_Nutlin-3a_vs_DMSO" in text
    assert {"CDKN1A", "MDM2", "SESN1, ABCB1", "RB1"} <= set(text.splitlines())


def test_all_contrasts_get_their_own_files_and_an_index(tmp_path):
    names = ["A_1.5uM_vs_DMSO", "A_15uM_vs_DMSO"]  # one name a prefix of the other's
    tables = []
    for name in names:
        TABLES["A"].to_csv(tmp_path / f"{name}.tsv", sep="\t", index=False)
        tables.append(tmp_path / f"{name}.tsv")
    plots = {
        kind: [tmp_path / kind / f"{n}{s}" for n in names for s in (".png", ".svg")]
        for kind in ("volcano", "ma")
    }
    index = write_all_contrast_plots(
        names,
        tables,
        plots["volcano"],
        plots["ma"],
        (".png", ".svg"),
        SIGNATURES,
        tmp_path / "index.tsv",
        tmp_path / "plot_volcano_mqc.json",
        tmp_path / "plot_ma_mqc.json",
    )
    assert index.equals(pd.read_csv(tmp_path / "index.tsv", sep="\t"))
    assert index["file"].tolist() == [
        str(path) for kind in ("volcano", "ma") for path in plots[kind][:2]
    ] + [str(path) for kind in ("volcano", "ma") for path in plots[kind][2:]]
    for name in names:
        assert name in svg_text(tmp_path / "volcano" / f"{name}.svg")
    for kind in ("volcano", "ma"):
        section = json.loads((tmp_path / f"plot_{kind}_mqc.json").read_text())
        assert section["id"] == f"plot_{kind}" and section["plot_type"] == "scatter"
        assert section["pconfig"]["data_labels"] == [{"name": name} for name in names]
        assert len(section["data"]) == 2
        assert "Buttons switch between all 2 contrasts" in section["description"]
        assert "padj < 0.05 and |log2 fold change| >= 1" in section["description"]


def test_interactive_volcano_names_genes_and_groups_them():
    points = {point["name"]: point for point in volcano_points(TABLES["C"], MARKERS, 0.05, 1.0)}
    calls = dict(zip(TABLES["C"]["gene_name"], classify(TABLES["C"], 0.05, 1.0), strict=True))
    groups = {"up": "up", "down": "down", "ns": "not significant"}
    assert {name: point["group"] for name, point in points.items()} == {
        name: groups[call] for name, call in calls.items()
    }
    assert points["CDKN1A"]["marker_size"] == 8  # a marker gene
    ma = {point["name"]: point for point in ma_points(TABLES["C"], MARKERS, 0.05, 1.0)}
    assert set(ma) == set(TABLES["C"].loc[TABLES["C"]["baseMean"] > 0, "gene_name"])


def test_interactive_plots_keep_signature_genes_and_thin_the_others():
    n = 1000
    genes = pd.DataFrame({"gene_name": [f"S{i}" for i in range(n)], "padj": np.linspace(0, 1, n)})
    calls = pd.Series(["up"] * 10 + ["ns"] * (n - 10))
    genes.loc[500, "gene_name"] = "MDM2"
    shown = report_genes(genes, calls, ["MDM2"], genes["padj"], n_background=100)
    assert set(range(10)) | {500} <= set(shown)
    assert 100 <= len(shown) <= 111
    # evenly spread: the background's padj still spans the range
    background = genes.loc[shown[10:], "padj"]
    assert background.min() < 0.05 and background.max() == 1


def test_a_deleted_de_table_is_named_with_the_fix(tmp_path):
    with pytest.raises(InputError) as error:
        write_all_contrast_plots(
            ["A"], [tmp_path / "A.tsv"], [], [], (".png",), SIGNATURES, tmp_path / "i.tsv"
        )
    assert str(error.value) == (
        f"{tmp_path / 'A.tsv'}: missing, though rule deseq2 has run (deleted since?). "
        "Re-create with: snakemake --forcerun deseq2"
    )
