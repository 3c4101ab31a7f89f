import numpy as np
import pandas as pd
import pytest
from unit_shared import CONTRASTS, SYMBOLS, TABLES, png_size, sheet, svg_text

from drugsig.analysis.signatures import signature
from drugsig.report.plots.signatures import (
    group_titles,
    grouped_samples,
    intersections,
    overlap_figure,
    row_zscores,
    signature_heatmap,
    strongest_genes,
    treatment_sets,
    write_signature_plots,
)

SIGNATURES = {name: signature(table, 0.05, 1.0) for name, table in TABLES.items()}
SAMPLES = ["L2_DMSO_1", "L1_Nutlin_1", "L1_DMSO_1", "L2_Nutlin_1", "L1_DMSO_2", "L1_Nutlin_2"]


def vst_matrix() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        rng.normal(8, 1, (len(SYMBOLS), len(SAMPLES))), index=list(SYMBOLS), columns=SAMPLES
    )


def test_strongest_genes():
    genes = strongest_genes(SIGNATURES, n=4)
    assert genes["gene_id"].tolist() == ["G9", "G1", "G2", "G3"]
    assert genes["strength"].tolist() == [3.8, 2.5, 1.5, 1.5]
    assert genes["gene_name"].tolist() == ["ABCB1", "CDKN1A", "MDM2", "BBC3"]
    assert len(strongest_genes(SIGNATURES)) == 8


def test_row_zscores():
    z = row_zscores(pd.DataFrame({"a": [1.0, 5.0], "b": [3.0, 5.0]}))
    np.testing.assert_allclose(z.to_numpy(), [[-1.0, 1.0], [0.0, 0.0]], rtol=1e-12, atol=1e-12)


def test_grouped_samples_by_cell_line_then_condition():
    assert list(grouped_samples(sheet(SAMPLES))) == [
        "L2_DMSO_1",
        "L2_Nutlin_1",
        "L1_DMSO_1",
        "L1_DMSO_2",
        "L1_Nutlin_1",
        "L1_Nutlin_2",
    ]


def test_signature_heatmap_shows_the_union_of_signatures():
    figure = signature_heatmap(SIGNATURES, vst_matrix(), sheet(SAMPLES), "genotype", "t")
    heatmap = figure.axes[1]
    genes = {tick.get_text() for tick in heatmap.get_yticklabels()}
    assert genes == {"ABCB1", "CDKN1A", "MDM2", "BBC3", "ZMAT3", "BAX", "SESN1", "GDF15"}
    image = heatmap.get_images()[0].get_array()
    assert image.shape == (8, 6)
    assert np.allclose(image.mean(axis=1), 0)
    assert [tick.get_text() for tick in heatmap.get_xticklabels()][:2] == SAMPLES[::3]


def test_signature_heatmap_without_signature_genes():
    empty = {name: table.iloc[:0] for name, table in SIGNATURES.items()}
    figure = signature_heatmap(empty, vst_matrix(), sheet(SAMPLES), "genotype", "padj < 0.05")
    assert figure.axes[0].texts[0].get_text() == "No contrast has signature genes (padj < 0.05)."


def test_treatment_sets_group_treatments_by_cell_line():
    contrasts = CONTRASTS.assign(name=["SJSA-1_A", "SJSA-1_B", "SJSA-1_C", "R", "L2_D"])
    tables = dict(zip(contrasts["name"], SIGNATURES.values(), strict=True))
    groups = treatment_sets(tables, contrasts)
    assert {group: list(sets) for group, sets in groups.items()} == {
        ("SJSA-1", "24h"): ["A", "B", "C"],
        ("L2", "24h"): ["D"],
    }
    assert groups[("SJSA-1", "24h")]["B"].to_dict() == {
        "G1": "up",
        "G5": "up",
        "G3": "down",
        "G2": "down",
    }


def test_treatment_sets_and_titles_per_time_point():
    # drugs A and B at 1 h and 6 h in A549 (design order: by drug, then time); L2 at 24 h
    contrasts = CONTRASTS.assign(
        name=["A549_A_1h", "A549_A_6h", "A549_B_1h", "R", "L2_D"],
        cell_line=["A549", "A549", "A549", "A2780", "L2"],
        time=["1h", "6h", "1h", "24h", "24h"],
    )
    tables = dict(zip(contrasts["name"], SIGNATURES.values(), strict=True))
    groups = treatment_sets(tables, contrasts)
    assert {group: list(sets) for group, sets in groups.items()} == {
        ("A549", "1h"): ["A_1h", "B_1h"],
        ("A549", "6h"): ["A_6h"],
        ("L2", "24h"): ["D"],
    }
    assert group_titles(list(groups)) == [
        "Cell line A549, 1h",
        "Cell line A549, 6h",
        "Cell line L2",
    ]
    assert group_titles([("", "1h"), ("", "6h")]) == ["All samples, 1h", "All samples, 6h"]
    assert group_titles([("", "")]) == ["All samples"]
    figure = overlap_figure(groups)
    titles = [axes.get_title(loc="left") for sub in figure.subfigs for axes in sub.axes]
    assert [title for title in titles if title] == [
        "Cell line A549, 1h: 2 treatment signatures, 7 genes",
        "Cell line A549, 6h: 1 treatment signature, 4 genes",
        "Cell line L2: 1 treatment signature, 1 gene",
    ]


def test_intersections_are_exclusive_and_split_by_direction():
    sets = {
        "a": pd.Series({"g1": "up", "g2": "up", "g3": "up"}),
        "b": pd.Series({"g2": "up", "g3": "down", "g4": "down"}),
        "c": pd.Series({"g9": "up"}),
    }
    combos = intersections(sets)
    assert combos.to_dict("records") == [
        {"a": True, "b": True, "c": False, "up": 1, "down": 0, "mixed": 1, "size": 2},
        {"a": False, "b": False, "c": True, "up": 1, "down": 0, "mixed": 0, "size": 1},
        {"a": False, "b": True, "c": False, "up": 0, "down": 1, "mixed": 0, "size": 1},
        {"a": True, "b": False, "c": False, "up": 1, "down": 0, "mixed": 0, "size": 1},
    ]
    assert len(intersections(sets, n=2)) == 2


def test_overlap_figure_has_a_panel_per_cell_line():
    figure = overlap_figure(treatment_sets(SIGNATURES, CONTRASTS))
    titles = [axes.get_title(loc="left") for sub in figure.subfigs for axes in sub.axes]
    assert [title for title in titles if title] == [
        "Cell line SJSA-1: 3 treatment signatures, 7 genes",
        "Cell line L2: 1 treatment signature, 1 gene",
    ]
    bars = figure.subfigs[0].axes[0]
    assert sum(patch.get_height() for patch in bars.patches) == 7


def test_overlap_panel_whose_signatures_are_all_empty():
    """A time point where no treatment has a signature gene (real data: A549 at 1 h)."""
    empty = pd.Series(dtype=object)
    assert intersections({"a": empty, "b": empty}).dtypes.to_dict() == {
        "a": bool, "b": bool, "up": int, "down": int, "mixed": int, "size": int,
    }  # fmt: skip
    figure = overlap_figure(
        {("A549", "1h"): {"a": empty, "b": empty}, ("A549", "6h"): {"a": pd.Series({"g1": "up"})}}
    )
    titles = [axes.get_title(loc="left") for sub in figure.subfigs for axes in sub.axes]
    assert [title for title in titles if title] == [
        "Cell line A549, 1h: 2 treatment signatures, 0 genes",
        "Cell line A549, 6h: 1 treatment signature, 1 gene",
    ]


def test_overlap_figure_without_treatments():
    figure = overlap_figure({})
    assert figure.axes[0].texts[0].get_text() == "There are no treatment contrasts."


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signature_plots")
    paths = []
    for name, table in SIGNATURES.items():
        paths.append(folder / f"{name}.tsv")
        table.to_csv(paths[-1], sep="\t", index=False)
    CONTRASTS.to_csv(folder / "contrasts.tsv", sep="\t", index=False)
    vst = vst_matrix().rename_axis("gene_id").reset_index()
    vst.insert(1, "gene_name", vst["gene_id"].map(SYMBOLS))
    vst.to_csv(folder / "vst_counts.tsv", sep="\t", index=False)
    sheet(SAMPLES).to_csv(folder / "samples.tsv", sep="\t", index=False)
    write_signature_plots(
        signature_tables=paths,
        contrasts=folder / "contrasts.tsv",
        vst_table=folder / "vst_counts.tsv",
        samples=folder / "samples.tsv",
        signatures_cfg={"padj": 0.05, "min_abs_log2fc": 1.0},
        genotype_column="genotype",
        heatmap_plots=[folder / "heatmap.png", folder / "heatmap.svg"],
        overlap_plots=[folder / "overlap.png", folder / "overlap.svg"],
    )
    return folder


def test_write_signature_plots(written):
    for name in ("heatmap", "overlap"):
        assert png_size(written / f"{name}.png")[0] > 800
    heatmap = svg_text(written / "heatmap.svg").splitlines()
    assert {"CDKN1A", "MDM2", "ABCB1", *SAMPLES} <= set(heatmap)
    overlap = svg_text(written / "overlap.svg").splitlines()
    assert {"A", "B", "C", "D", "up in all", "down in all"} <= set(overlap)
