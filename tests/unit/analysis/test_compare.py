import math

import numpy as np
import pandas as pd
import pytest
from unit_shared import split_custom_content

from drugsig.analysis.compare import (
    RELATIVE_RESPONSE_COLUMNS,
    SIMILARITY_COLUMNS,
    SPECIFIC_COLUMNS,
    compared_groups,
    core_signature,
    drug_specific,
    origin_slope,
    relative_response,
    similarity,
    write_comparison,
)
from drugsig.analysis.signatures import cross_drug
from drugsig.diffexp.deseq import CONTRAST_COLUMNS, RESULT_COLUMNS
from drugsig.errors import InputError

SIG, NS = 0.001, 0.5


def de_table(rows: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """DE table from ``{gene: (log2FoldChange, padj)}`` (shrunken = MLE; name = id)."""
    return pd.DataFrame(
        [
            {
                "gene_id": gene,
                "gene_name": gene.lower(),
                "baseMean": 100.0,
                "log2FoldChange": lfc,
                "lfcSE": 0.2,
                "stat": lfc / 0.2,
                "pvalue": padj / 10,
                "padj": padj,
                "log2FoldChange_shrunk": lfc,
                "lfcSE_shrunk": 0.2,
            }
            for gene, (lfc, padj) in rows.items()
        ],
        columns=RESULT_COLUMNS,
    )


# Cell line L1: drugs A, B (half of A on the core) and C (0.8 of A). L2 has one drug only.
TABLES = {
    "A": de_table(
        {
            "K1": (2.0, SIG),
            "K2": (4.0, SIG),
            "K3": (-3.0, SIG),
            "S1": (2.5, SIG),
            "S2": (-0.3, NS),
            "P1": (1.5, SIG),
            "M1": (1.5, SIG),
            "X1": (1.8, SIG),  # not tested under B and C
        }
    ),
    "B": de_table(
        {
            "K1": (1.0, SIG),
            "K2": (2.0, SIG),
            "K3": (-1.5, SIG),
            "S1": (0.1, NS),
            "S2": (-2.0, SIG),
            "P1": (0.4, NS),
            "M1": (-1.5, SIG),
        }
    ),
    "C": de_table(
        {
            "K1": (1.6, SIG),
            "K2": (3.2, SIG),
            "K3": (-2.4, SIG),
            "S1": (0.2, NS),
            "S2": (0.0, NS),
            "P1": (1.2, SIG),
            "M1": (1.2, SIG),
        }
    ),
    "D": de_table({"K1": (3.0, SIG)}),
    "R": de_table({"K1": (5.0, SIG)}),
}
CONTRASTS = pd.DataFrame(
    [
        ["A", "treatment", "condition", "DrugA", "DMSO", "L1", "", "", 3, 3, "", ""],
        ["B", "treatment", "condition", "DrugB", "DMSO", "L1", "", "", 3, 3, "", ""],
        ["C", "treatment", "condition", "DrugC", "DMSO", "L1", "", "", 3, 3, "", ""],
        ["D", "treatment", "condition", "DrugD", "DMSO", "L2", "", "", 3, 3, "", ""],
        ["R", "genotype", "genotype", "Res", "parental", "L3", "", "", 3, 3, "", ""],
    ],
    columns=CONTRAST_COLUMNS,
)
GROUPS = {("L1", ""): ["A", "B", "C"]}


@pytest.fixture
def cross():
    return cross_drug(TABLES, CONTRASTS, 0.05, 1.0)


def test_compared_groups_need_two_treatment_contrasts():
    assert compared_groups(CONTRASTS) == GROUPS


def test_core_signature(cross):
    core = core_signature(cross, GROUPS)
    assert list(core.columns) == [
        "cell_line",
        "time",
        "gene_id",
        "gene_name",
        "direction",
        "A_log2FoldChange",
        "B_log2FoldChange",
        "C_log2FoldChange",
        "mean_log2fc",
    ]
    assert core.drop(columns="mean_log2fc").values.tolist() == [
        ["L1", "", "K2", "k2", "up", 4.0, 2.0, 3.2],
        ["L1", "", "K1", "k1", "up", 2.0, 1.0, 1.6],
        ["L1", "", "K3", "k3", "down", -3.0, -1.5, -2.4],
    ]
    assert core["mean_log2fc"].tolist() == pytest.approx([9.2 / 3, 4.6 / 3, -6.9 / 3])


def test_core_signature_without_compared_groups(cross):
    core = core_signature(cross, {})
    assert core.empty
    assert list(core.columns) == [
        "cell_line",
        "time",
        "gene_id",
        "gene_name",
        "direction",
        "mean_log2fc",
    ]


def test_drug_specific(cross):
    specific = drug_specific(cross, GROUPS, CONTRASTS)
    assert list(specific.columns) == SPECIFIC_COLUMNS
    assert specific.values.tolist() == [
        ["L1", "", "A", "DrugA", "S1", "s1", 2.5, SIG, "up"],
        ["L1", "", "A", "DrugA", "X1", "x1", 1.8, SIG, "up"],
        ["L1", "", "B", "DrugB", "S2", "s2", -2.0, SIG, "down"],
    ]


def test_similarity():
    pairs = similarity(TABLES, GROUPS, 0.05, 1.0)
    assert list(pairs.columns) == SIMILARITY_COLUMNS
    assert pairs.drop(columns=["spearman", "jaccard"]).values.tolist() == [
        ["L1", "", "A", "B", 7, 3],
        ["L1", "", "A", "C", 6, 5],
        ["L1", "", "B", "C", 6, 3],
    ]
    # Rank correlations worked out by hand (average ranks for ties).
    assert pairs["spearman"].tolist() == pytest.approx([21.75 / 27.5, 11 / 17, 14.75 / 17])
    # M1 is significant under A and B but in opposite directions: not shared.
    assert pairs["jaccard"].tolist() == pytest.approx([3 / 9, 5 / 7, 3 / 7])


def test_similarity_of_empty_signatures():
    quiet = {name: de_table({"K1": (0.1, NS), "K2": (0.2, NS)}) for name in ("A", "B")}
    pairs = similarity(quiet, {("L1", ""): ["A", "B"]}, 0.05, 1.0)
    row = pairs.iloc[0]
    assert (row["n_genes"], row["n_shared"]) == (0, 0)
    assert math.isnan(row["spearman"])
    assert math.isnan(row["jaccard"])


def test_origin_slope_by_hand():
    fit = origin_slope(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 2.0]))
    # b = 11/14; RSS = 70/196; SE = sqrt(RSS / 2 / 14); t(0.975, 2) = 4.302653.
    half = 4.302653 * math.sqrt(70 / 196 / 2 / 14)
    assert fit["slope"] == pytest.approx(11 / 14)
    assert fit["ci_low"] == pytest.approx(11 / 14 - half, rel=1e-6)
    assert fit["ci_high"] == pytest.approx(11 / 14 + half, rel=1e-6)
    assert fit["r2"] == pytest.approx(1 - (70 / 196) / 9)


def test_origin_slope_of_one_gene_has_no_interval():
    fit = origin_slope(np.array([2.0]), np.array([1.0]))
    assert fit["slope"] == pytest.approx(0.5, rel=1e-12)
    assert math.isnan(fit["ci_low"])
    assert math.isnan(fit["ci_high"])
    assert fit["r2"] == pytest.approx(1.0, rel=1e-12)


def test_relative_response_against_the_strongest_drug(cross):
    ratios = relative_response(core_signature(cross, GROUPS), GROUPS, CONTRASTS, {})
    assert list(ratios.columns) == RELATIVE_RESPONSE_COLUMNS
    assert ratios[["contrast", "drug", "reference", "n_genes"]].values.tolist() == [
        ["A", "DrugA", "A", 3],
        ["B", "DrugB", "A", 3],
        ["C", "DrugC", "A", 3],
    ]
    assert ratios["relative_response"].tolist() == pytest.approx([1.0, 0.5, 0.8])
    assert ratios["ci_low"].tolist() == pytest.approx([1.0, 0.5, 0.8])
    assert ratios["ci_high"].tolist() == pytest.approx([1.0, 0.5, 0.8])
    assert ratios["r2"].tolist() == pytest.approx([1.0, 1.0, 1.0])


@pytest.mark.parametrize("chosen", ["B", "DrugB"])
def test_relative_response_against_a_configured_reference(cross, chosen):
    ratios = relative_response(core_signature(cross, GROUPS), GROUPS, CONTRASTS, {"L1": chosen})
    assert set(ratios["reference"]) == {"B"}
    assert ratios["relative_response"].tolist() == pytest.approx([2.0, 1.0, 1.6])


def test_relative_response_reference_errors(cross):
    core = core_signature(cross, GROUPS)
    with pytest.raises(InputError) as error:
        relative_response(core, GROUPS, CONTRASTS, {"L2": "DrugD"})
    assert str(error.value) == (
        "comparison.reference: cell line(s) L2 have fewer than two treatment contrasts at "
        "any time point to compare; cell lines compared: L1."
    )
    with pytest.raises(InputError) as error:
        relative_response(core, GROUPS, CONTRASTS, {"L1": "Nope"})
    assert str(error.value) == (
        "comparison.reference: 'Nope' for cell line 'L1' is neither a contrast nor the "
        "treatment of any of its treatment contrasts; choose one of: A (DrugA), B (DrugB), "
        "C (DrugC)."
    )
    doses = CONTRASTS.assign(treatment=["DrugA", "DrugB", "DrugB", "DrugD", "Res"])
    with pytest.raises(InputError) as error:
        relative_response(core, GROUPS, doses, {"L1": "DrugB"})
    assert str(error.value) == (
        "comparison.reference: 'DrugB' for cell line 'L1' matches several of its treatment "
        "contrasts; choose one of: A (DrugA), B (DrugB), C (DrugB)."
    )


def test_relative_response_without_core_genes_warns():
    tables = {"A": de_table({"K1": (2.0, SIG)}), "B": de_table({"K1": (0.1, NS)})}
    groups = {("L1", ""): ["A", "B"]}
    core = core_signature(cross_drug(tables, CONTRASTS.head(2), 0.05, 1.0), groups)
    message = (
        "cell line 'L1': no core genes (significant under every drug), so no relative response."
    )
    with pytest.warns(UserWarning) as caught:
        ratios = relative_response(core, groups, CONTRASTS, {})
    assert [str(warning.message) for warning in caught] == [message]
    assert ratios.empty
    assert list(ratios.columns) == RELATIVE_RESPONSE_COLUMNS


def test_write_comparison(tmp_path):
    de = tmp_path / "de"
    de.mkdir()
    for name, table in TABLES.items():
        table.to_csv(de / f"{name}.tsv", sep="\t", index=False)
    CONTRASTS.to_csv(de / "contrasts.tsv", sep="\t", index=False)
    out = tmp_path / "compare"
    write_comparison(
        [de / f"{name}.tsv" for name in TABLES],
        de / "contrasts.tsv",
        {"padj": 0.05, "min_abs_log2fc": 1.0},
        {"reference": {"L1": "DrugC"}},
        out / "core_signature.tsv",
        out / "drug_specific.tsv",
        out / "similarity.tsv",
        out / "relative_response.tsv",
        out / "compare_relative_response_mqc.tsv",
        out / "compare_similarity_mqc.tsv",
    )
    assert (out / "core_signature.tsv").read_text().splitlines()[1] == (
        "L1\t\tK2\tk2\tup\t4\t2\t3.2\t3.06667"
    )
    assert len((out / "drug_specific.tsv").read_text().splitlines()) == 4
    assert (out / "relative_response.tsv").read_text().splitlines()[1:] == [
        "L1\t\tA\tDrugA\tC\t3\t1.25\t1.25\t1.25\t1",
        "L1\t\tB\tDrugB\tC\t3\t0.625\t0.625\t0.625\t1",
        "L1\t\tC\tDrugC\tC\t3\t1\t1\t1\t1",
    ]
    header, lines = split_custom_content((out / "compare_relative_response_mqc.tsv").read_text())
    assert header["id"] == "compare_relative_response"
    assert header["plot_type"] == "table"
    assert (
        lines[0]
        == "contrast\tcell_line\tdrug\treference\tn_genes\trelative_response\tci_low\tci_high\tr2"
    )
    header, lines = split_custom_content((out / "compare_similarity_mqc.tsv").read_text())
    assert header["id"] == "compare_similarity"
    assert [line.split("\t")[0] for line in lines] == ["pair", "A vs B", "A vs C", "B vs C"]


# Drugs A and B in cell line T at 1 h and 6 h (contrast order as the design writes it: by
# drug, then time). K1 and K2 respond at both times; G6 under A and B at 6 h only; S1
# under A at 1 h and under B at 6 h (specific at each time, never shared).
TIMED_TABLES = {
    "A_1h": de_table({"K1": (2.0, SIG), "K2": (4.0, SIG), "G6": (0.2, NS), "S1": (2.5, SIG)}),
    "A_6h": de_table({"K1": (2.0, SIG), "K2": (3.0, SIG), "G6": (1.5, SIG), "S1": (0.2, NS)}),
    "B_1h": de_table({"K1": (1.0, SIG), "K2": (2.0, SIG), "G6": (0.1, NS), "S1": (0.1, NS)}),
    "B_6h": de_table({"K1": (4.0, SIG), "K2": (6.0, SIG), "G6": (3.0, SIG), "S1": (2.0, SIG)}),
}
TIMED = pd.DataFrame(
    [
        [name, "treatment", "condition", name[0], "DMSO", "T", name[2:], "1", 2, 2, "", ""]
        for name in TIMED_TABLES
    ],
    columns=CONTRAST_COLUMNS,
)
TIMED_GROUPS = {("T", "1h"): ["A_1h", "B_1h"], ("T", "6h"): ["A_6h", "B_6h"]}


@pytest.fixture
def timed_cross():
    return cross_drug(TIMED_TABLES, TIMED, 0.05, 1.0)


def test_drugs_are_compared_at_the_same_time_point(timed_cross):
    assert compared_groups(TIMED) == TIMED_GROUPS
    core = core_signature(timed_cross, TIMED_GROUPS)
    assert list(core.columns[5:9]) == [
        "A_1h_log2FoldChange",
        "B_1h_log2FoldChange",
        "A_6h_log2FoldChange",
        "B_6h_log2FoldChange",
    ]
    assert core[["cell_line", "time", "gene_id", "direction"]].values.tolist() == [
        ["T", "1h", "K2", "up"],
        ["T", "1h", "K1", "up"],
        ["T", "6h", "K2", "up"],
        ["T", "6h", "K1", "up"],
        ["T", "6h", "G6", "up"],  # shared by A and B at 6 h only
    ]
    assert core["mean_log2fc"].tolist() == pytest.approx([3.0, 1.5, 4.5, 3.0, 2.25], rel=1e-12)
    assert core.loc[core["time"] == "1h", "A_6h_log2FoldChange"].isna().all()
    specific = drug_specific(timed_cross, TIMED_GROUPS, TIMED)
    assert specific[["time", "contrast", "drug", "gene_id"]].values.tolist() == [
        ["1h", "A_1h", "A", "S1"],
        ["6h", "B_6h", "B", "S1"],
    ]


def test_similarity_per_time_point():
    pairs = similarity(TIMED_TABLES, TIMED_GROUPS, 0.05, 1.0)
    assert pairs.drop(columns=["spearman", "jaccard"]).values.tolist() == [
        ["T", "1h", "A_1h", "B_1h", 3, 2],
        ["T", "6h", "A_6h", "B_6h", 4, 3],
    ]
    assert pairs["spearman"].tolist() == pytest.approx([0.5, 1.0])
    assert pairs["jaccard"].tolist() == pytest.approx([2 / 3, 3 / 4])


def test_relative_response_per_time_point(timed_cross):
    core = core_signature(timed_cross, TIMED_GROUPS)
    ratios = relative_response(core, TIMED_GROUPS, TIMED, {})
    assert ratios[["time", "contrast", "reference", "n_genes"]].values.tolist() == [
        ["1h", "A_1h", "A_1h", 2],
        ["1h", "B_1h", "A_1h", 2],
        ["6h", "A_6h", "B_6h", 3],
        ["6h", "B_6h", "B_6h", 3],
    ]
    assert ratios["relative_response"].tolist() == pytest.approx([1.0, 0.5, 0.5, 1.0])
    # a treatment level, or a contrast of one time point, sets the reference at every time
    for chosen in ("A", "A_6h", "A_1h"):
        ratios = relative_response(core, TIMED_GROUPS, TIMED, {"T": chosen})
        assert ratios["reference"].tolist() == ["A_1h", "A_1h", "A_6h", "A_6h"]
        assert ratios["relative_response"].tolist() == pytest.approx([1.0, 0.5, 1.0, 2.0])


def test_relative_response_per_time_point_errors_and_warnings(timed_cross):
    core = core_signature(timed_cross, TIMED_GROUPS)
    two_doses = TIMED.assign(treatment=["A", "A", "A", "B"])  # A_1h and B_1h: drug A
    with pytest.raises(InputError) as error:
        relative_response(core, TIMED_GROUPS, two_doses, {"T": "A_6h"})
    assert str(error.value) == (
        "comparison.reference: 'A_6h' for cell line 'T' at 1h is a contrast of another time "
        "point; its treatment 'A' matches several of its treatment contrasts; choose one of: "
        "A_1h (A), B_1h (A)."
    )
    message = (
        "cell line 'T' at 1h: no core genes (significant under every drug), so no relative "
        "response."
    )
    with pytest.warns(UserWarning) as caught:
        ratios = relative_response(core[core["time"] == "6h"], TIMED_GROUPS, TIMED, {})
    assert [str(warning.message) for warning in caught] == [message]
    assert set(ratios["time"]) == {"6h"}


def test_write_comparison_with_time_points(tmp_path):
    de = tmp_path / "de"
    de.mkdir()
    for name, table in TIMED_TABLES.items():
        table.to_csv(de / f"{name}.tsv", sep="\t", index=False)
    TIMED.to_csv(de / "contrasts.tsv", sep="\t", index=False)
    out = tmp_path / "compare"
    write_comparison(
        [de / f"{name}.tsv" for name in TIMED_TABLES],
        de / "contrasts.tsv",
        {"padj": 0.05, "min_abs_log2fc": 1.0},
        {"reference": {}},
        *[out / name for name in ("core", "specific", "similarity", "relative", "r_mqc", "s_mqc")],
    )
    assert (
        (out / "similarity")
        .read_text()
        .splitlines()[0]
        .startswith("cell_line\ttime\tcontrast_a\tcontrast_b\t")
    )
    assert (out / "relative").read_text().splitlines()[1] == ("T\t1h\tA_1h\tA\tA_1h\t2\t1\t1\t1\t1")
    _, lines = split_custom_content((out / "r_mqc").read_text())
    assert lines[0].startswith("contrast\tcell_line\ttime\tdrug\t")
    _, lines = split_custom_content((out / "s_mqc").read_text())
    assert lines[1:] == [
        "A_1h vs B_1h\tT\t1h\t0.5\t3\t0.667\t2",
        "A_6h vs B_6h\tT\t6h\t1\t4\t0.75\t3",
    ]
