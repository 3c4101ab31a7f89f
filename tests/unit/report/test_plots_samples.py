import json

import numpy as np
import pandas as pd
import pytest
from unit_shared import png_size, sheet, svg_text

from drugsig.report.plots.samples import (
    MAX_LABELLED_POINTS,
    pca,
    pca_figure,
    read_vst,
    sample_annotations,
    sample_distances,
    write_sample_plots,
)
from drugsig.report.plots.style import MAX_LEGEND

SAMPLES = [
    f"{line}_{condition}_{i}"
    for line in ("L1", "L2")
    for condition in ("DMSO", "Nutlin")
    for i in (1, 2)
]


def planted_counts(seed: int = 1) -> pd.DataFrame:
    """Counts where genes G0-G29 are 8x higher in Nutlin and G30-G59 4x higher in L2."""
    rng = np.random.default_rng(seed)
    n_genes = 300
    base = rng.gamma(2.0, 100.0, n_genes)
    columns = {}
    for sample in SAMPLES:
        mean = base.copy()
        if "Nutlin" in sample:
            mean[:30] *= 8
        if sample.startswith("L2"):
            mean[30:60] *= 4
        size = 1 / (0.05 + 2 / mean)  # the usual dispersion-mean trend
        columns[sample] = rng.negative_binomial(size, size / (size + mean))
    genes = [f"G{i}" for i in range(n_genes)]
    return pd.DataFrame(
        {"gene_id": genes, "gene_name": [f"S{i}" for i in range(n_genes)], **columns}
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("samples")
    planted_counts().to_csv(folder / "counts.tsv", sep="\t", index=False)
    sheet(SAMPLES).to_csv(folder / "samples.tsv", sep="\t", index=False)
    write_sample_plots(
        counts=folder / "counts.tsv",
        samples=folder / "samples.tsv",
        genotype_column="genotype",
        vst_table=folder / "vst_counts.tsv",
        pca_plots=[folder / "pca.png", folder / "pca.svg"],
        distance_plots=[folder / "distances.png", folder / "distances.svg"],
        pca_section=folder / "plot_pca_mqc.json",
    )
    return folder


def test_vst_table_is_log_scale_and_follows_the_counts(written):
    vst = read_vst(written / "vst_counts.tsv")
    counts = planted_counts().set_index("gene_id")[SAMPLES]
    assert list(vst.columns) == SAMPLES
    assert list(vst.index) == list(counts.index)
    for sample in SAMPLES:
        assert np.corrcoef(vst[sample], np.log2(counts[sample] + 1))[0, 1] > 0.99
    # Log2 scale: the 8x genes gain about 3 units over the vehicle.
    gain = vst.iloc[:30][["L1_Nutlin_1", "L1_Nutlin_2"]].mean(axis=1) - vst.iloc[:30][
        ["L1_DMSO_1", "L1_DMSO_2"]
    ].mean(axis=1)
    assert 2.3 < gain.median() < 3.5


def test_pca_separates_planted_groups(written):
    result = pca(read_vst(written / "vst_counts.tsv"))
    first = result.coordinates["PC1"]
    nutlin = first.index.str.contains("Nutlin")
    assert np.sign(first[nutlin]).nunique() == 1
    assert np.sign(first[~nutlin]).nunique() == 1
    assert np.sign(first[nutlin].iloc[0]) != np.sign(first[~nutlin].iloc[0])
    second = result.coordinates["PC2"]
    line2 = second.index.str.startswith("L2")
    assert (np.sign(second[line2]) != np.sign(second[~line2].iloc[0])).all()
    assert result.variance[0] > result.variance[1] > 0.1
    assert result.n_genes == 300


def test_plots_are_valid_and_name_the_samples(written):
    for name in ("pca", "distances"):
        width, height = png_size(written / f"{name}.png")
        assert width > 500 and height > 300
    pca_text = svg_text(written / "pca.svg")
    assert "PC1: " in pca_text and "% of variance" in pca_text
    assert {"DMSO", "Nutlin", "L1", "L2"} <= set(pca_text.splitlines())
    distances_text = svg_text(written / "distances.svg")
    assert all(sample in distances_text for sample in SAMPLES)


def test_interactive_pca_names_samples_and_the_genes_used(written):
    section = json.loads((written / "plot_pca_mqc.json").read_text())
    assert section["id"] == "plot_pca" and section["plot_type"] == "scatter"
    # 300 genes, fewer than N_TOP: the text says how many were used
    assert "counts of the 300 most variable genes" in section["description"]
    points = section["data"]["points"]
    assert [point["name"] for point in points] == SAMPLES
    assert section["pconfig"]["groups"] == [
        "DMSO (L1)", "DMSO (L2)", "Nutlin (L1)", "Nutlin (L2)",
    ]  # fmt: skip
    assert {point["group"] for point in points} == set(section["pconfig"]["groups"])
    # colour = condition, symbol = cell line
    colours = {point["group"].split()[0]: point["color"] for point in points}
    assert colours["DMSO"] != colours["Nutlin"]
    symbols = {point["group"].split()[1]: point["marker_symbol"] for point in points}
    assert symbols == {"(L1)": "circle", "(L2)": "square"}
    assert section["pconfig"]["xlab"].startswith("PC1: ")
    assert section["pconfig"]["showlegend"] is True


def test_pca_uses_the_most_variable_genes():
    vst = pd.DataFrame(
        [[0, 0, 10, 10], [0, 1, 0, 1], [5, 5, 5, 5.1]], columns=["a", "b", "c", "d"], dtype=float
    )
    result = pca(vst, n_top=1)
    assert result.n_genes == 1
    assert result.variance == pytest.approx((1.0, 0.0))
    assert result.coordinates["PC1"].abs().tolist() == pytest.approx([5, 5, 5, 5])


def test_pca_of_two_samples():
    vst = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]})
    result = pca(vst)
    assert result.variance == pytest.approx((1.0, 0.0))
    assert result.coordinates["PC2"].tolist() == pytest.approx([0.0, 0.0], abs=1e-9)
    figure = pca_figure(
        result, sheet(["L1_DMSO_1", "L1_Nutlin_1"]).set_axis(["a", "b"]), "genotype"
    )
    assert "PC2: 0.0% of variance" in [axes.get_ylabel() for axes in figure.axes]


def test_pca_figure_caps_legends_for_hundreds_of_samples():
    n = 300
    rng = np.random.default_rng(0)
    samples = [f"L{i % 7}_drug{i % 40}_{i}" for i in range(n)]
    result = pca(pd.DataFrame(rng.normal(size=(50, n)), columns=samples))
    figure = pca_figure(result, sheet(samples), "genotype")
    (legend,) = figure.legends
    labels = [text.get_text() for text in legend.get_texts()]
    # Condition and cell line sections: a title and at most MAX_LEGEND entries each.
    assert len(labels) == 2 + MAX_LEGEND + 7
    assert "other (29)" in labels
    assert n > MAX_LABELLED_POINTS and not figure.axes[0].texts


def test_sample_distances_are_euclidean():
    vst = pd.DataFrame({"a": [0.0, 0.0], "b": [3.0, 4.0], "c": [0.0, 1.0]})
    distances = sample_distances(vst)
    assert distances.loc["a", "b"] == pytest.approx(5.0)
    assert distances.loc["b", "c"] == pytest.approx(np.hypot(3, 3))
    assert np.allclose(distances, distances.T) and np.allclose(np.diag(distances), 0)


def test_sample_annotations_skip_constant_columns():
    annotations = sample_annotations(sheet(SAMPLES), "genotype")
    assert list(annotations) == ["condition", "cell_line"]
    varied = sheet(SAMPLES).assign(genotype=["parental", "R"] * 4)
    assert list(sample_annotations(varied, "genotype")) == ["condition", "cell_line", "genotype"]
