import math

import numpy as np
import pandas as pd
import pytest
from unit_shared import CONTRASTS, NULL, TABLES, de_table

from drugsig.analysis.signatures import (
    SIGNATURE_COLUMNS,
    cross_drug,
    marker_panel,
    signature,
    treatment_groups,
    write_signatures,
)
from drugsig.diffexp.deseq import CONTRAST_COLUMNS
from drugsig.tables import read_de_table

NAN = float("nan")


def test_signature_ranks_within_direction():
    genes = signature(TABLES["A"], 0.05, 1.0)
    assert list(genes.columns) == SIGNATURE_COLUMNS
    assert genes[["gene_id", "direction", "rank"]].values.tolist() == [
        ["G1", "up", 1],
        ["G3", "up", 2],
        ["G8", "up", 3],
        ["G4", "up", 4],
        ["G7", "up", 5],
        ["G2", "down", 1],
    ]
    assert genes.loc[0].to_dict() == {
        "gene_id": "G1",
        "gene_name": "CDKN1A",
        "direction": "up",
        "rank": 1,
        "log2FoldChange": 2.0,
        "log2FoldChange_shrunk": 1.8,
        "padj": 0.001,
    }


def test_signature_without_shrinkage_uses_the_mle():
    table = TABLES["A"].assign(log2FoldChange_shrunk=NAN)
    genes = signature(table, 0.05, 1.5)
    assert genes[["gene_id", "direction", "rank"]].values.tolist() == [
        ["G1", "up", 1],
        ["G3", "up", 2],
        ["G8", "up", 3],
        ["G5", "up", 4],
        ["G2", "down", 1],
    ]


def test_signature_of_a_table_without_hits_is_empty():
    genes = signature(TABLES["R"], 1e-12, 1.0)
    assert genes.empty
    assert list(genes.columns) == SIGNATURE_COLUMNS


def test_cross_drug():
    table = cross_drug(TABLES, CONTRASTS, 0.05, 1.0)
    assert list(table.columns) == [
        "cell_line",
        "time",
        "gene_id",
        "gene_name",
        "A_log2FoldChange",
        "A_padj",
        "B_log2FoldChange",
        "B_padj",
        "C_log2FoldChange",
        "C_padj",
        "D_log2FoldChange",
        "D_padj",
        "n_significant",
        "direction",
        "category",
        "specific_to",
    ]
    summary = table[
        ["cell_line", "gene_id", "n_significant", "direction", "category", "specific_to"]
    ]
    assert summary.values.tolist() == [
        ["SJSA-1", "G1", 3, "up", "shared", ""],
        ["SJSA-1", "G2", 3, "down", "shared", ""],
        ["SJSA-1", "G3", 3, "mixed", "partial", ""],
        ["SJSA-1", "G5", 2, "up", "partial", ""],
        ["SJSA-1", "G7", 2, "mixed", "partial", ""],
        ["SJSA-1", "G4", 1, "up", "specific", "A"],
        ["SJSA-1", "G8", 1, "up", "specific", "A"],
        ["L2", "G1", 1, "up", "specific", "D"],
    ]
    g7 = table.iloc[4]
    assert (g7["gene_name"], g7["A_log2FoldChange"], g7["C_log2FoldChange"]) == ("BAX", 1.0, -1.5)
    g4 = table.iloc[5]
    assert (g4["B_padj"], math.isnan(g4["C_log2FoldChange"]), math.isnan(g4["D_padj"])) == (
        0.2,
        True,
        True,
    )
    assert table.iloc[7]["D_log2FoldChange"] == 1.9
    assert np.isnan(table.iloc[7]["A_padj"])
    assert (table["time"] == "24h").all()


def two_times() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Drugs A and B at 1 h and 6 h in cell line L (contrast order: A_1h, A_6h, B_1h, B_6h).

    G1: up under every contrast; G2: up under A and B at 6 h only; G3: down under A at
    1 h and under B at 6 h; G4: up under A at 6 h only.
    """
    up, down = (2.0, 0.001, 2.0), (-2.0, 0.001, -2.0)
    tables = {
        "A_1h": de_table({"G1": up, "G2": NULL, "G3": down, "G4": NULL}),
        "A_6h": de_table({"G1": up, "G2": up, "G3": NULL, "G4": up}),
        "B_1h": de_table({"G1": up, "G2": NULL, "G3": NULL, "G4": NULL}),
        "B_6h": de_table({"G1": up, "G2": up, "G3": down, "G4": NULL}),
    }
    contrasts = pd.DataFrame(
        [
            [name, "treatment", "condition", name[0], "DMSO", "L", name[2:], "", 2, 2, "", ""]
            for name in tables
        ],
        columns=CONTRAST_COLUMNS,
    )
    return tables, contrasts


def test_treatment_groups_by_cell_line_and_time():
    _, contrasts = two_times()
    assert treatment_groups(contrasts) == {
        ("L", "1h"): ["A_1h", "B_1h"],
        ("L", "6h"): ["A_6h", "B_6h"],
    }
    assert treatment_groups(CONTRASTS) == {("SJSA-1", "24h"): ["A", "B", "C"], ("L2", "24h"): ["D"]}
    # a contrasts table written before the time column existed: one group per cell line
    old = CONTRASTS.drop(columns=["time", "dose"])
    assert treatment_groups(old) == {("SJSA-1", ""): ["A", "B", "C"], ("L2", ""): ["D"]}


def test_treatment_groups_take_each_drugs_highest_concentration():
    series = CONTRASTS.iloc[[0, 1]].copy()
    series = pd.concat(
        [
            series.assign(name=["A_lo", "B_hi"], treatment=["A", "B"], dose=["0.1", "10"]),
            series.assign(name=["A_hi", "B_lo"], treatment=["A", "B"], dose=["1", "0.5"]),
            series.iloc[[0]].assign(name="C_na", treatment="C", dose=""),
        ],
        ignore_index=True,
    )
    # one contrast per drug (its highest concentration), in contrast order
    assert treatment_groups(series) == {("SJSA-1", "24h"): ["B_hi", "A_hi", "C_na"]}
    tables = {name: TABLES[name[0]] for name in series["name"]}
    table = cross_drug(tables, series, 0.05, 1.0)
    assert [column for column in table.columns if column.endswith("_padj")] == [
        "B_hi_padj",
        "A_hi_padj",
        "C_na_padj",
    ]


def test_cross_drug_compares_drugs_at_the_same_time_only():
    tables, contrasts = two_times()
    table = cross_drug(tables, contrasts, 0.05, 1.0)
    summary = table[["cell_line", "time", "gene_id", "n_significant", "category", "specific_to"]]
    assert summary.values.tolist() == [
        ["L", "1h", "G1", 2, "shared", ""],
        ["L", "1h", "G3", 1, "specific", "A_1h"],
        ["L", "6h", "G1", 2, "shared", ""],
        ["L", "6h", "G2", 2, "shared", ""],  # shared by A and B at 6 h only
        ["L", "6h", "G3", 1, "specific", "B_6h"],
        ["L", "6h", "G4", 1, "specific", "A_6h"],
    ]
    # each group's rows hold its own contrasts' values only
    assert table.loc[table["time"] == "1h", "A_6h_log2FoldChange"].isna().all()
    assert table.loc[table["time"] == "6h", "A_1h_log2FoldChange"].isna().all()


def test_cross_drug_without_treatment_contrasts():
    table = cross_drug(TABLES, CONTRASTS[CONTRASTS["kind"] == "genotype"], 0.05, 1.0)
    assert table.empty
    assert list(table.columns) == [
        "cell_line",
        "time",
        "gene_id",
        "gene_name",
        "n_significant",
        "direction",
        "category",
        "specific_to",
    ]


def test_marker_panel():
    tables = {"A": TABLES["A"], "R": TABLES["R"]}
    panel = marker_panel(tables, ["MDM2", "ABCG2", "CDKN1A", "MDM2"], 0.05, 1.0)
    assert panel[
        ["contrast", "gene_name", "gene_id", "present", "significant", "direction"]
    ].fillna("-").values.tolist() == [
        ["A", "MDM2", "G2", True, True, "down"],
        ["A", "ABCG2", "-", False, False, ""],
        ["A", "CDKN1A", "G1", True, True, "up"],
        ["R", "MDM2", "G2", True, False, "up"],
        ["R", "ABCG2", "-", False, False, ""],
        ["R", "CDKN1A", "G1", True, False, "up"],
    ]
    assert panel.loc[0, ["log2FoldChange", "log2FoldChange_shrunk", "padj"]].tolist() == [
        -2.0,
        -1.5,
        0.001,
    ]
    assert panel.loc[1, ["log2FoldChange", "log2FoldChange_shrunk", "padj"]].isna().all()


@pytest.fixture
def written(tmp_path):
    de = tmp_path / "de"
    de.mkdir()
    tables = []
    for name, table in TABLES.items():
        tables.append(de / f"{name}.tsv")
        table.to_csv(tables[-1], sep="\t", index=False, float_format="%.6g")
    CONTRASTS.to_csv(de / "contrasts.tsv", sep="\t", index=False)
    out = tmp_path / "signatures"
    write_signatures(
        tables,
        de / "contrasts.tsv",
        {"padj": 0.05, "min_abs_log2fc": 1.0, "marker_genes": ["CDKN1A", "ABCG2"]},
        [out / f"{name}.tsv" for name in TABLES],
        out / "cross_drug.tsv",
        out / "marker_panel.tsv",
    )
    return out


def test_write_signatures(written):
    assert sorted(path.name for path in written.iterdir()) == [
        "A.tsv",
        "B.tsv",
        "C.tsv",
        "D.tsv",
        "R.tsv",
        "cross_drug.tsv",
        "marker_panel.tsv",
    ]
    assert (written / "C.tsv").read_text().splitlines() == [
        "gene_id\tgene_name\tdirection\trank\tlog2FoldChange\tlog2FoldChange_shrunk\tpadj",
        "G1\tCDKN1A\tup\t1\t3\t2.5\t1e-05",
        "G3\tBBC3\tup\t2\t1.5\t1.2\t0.001",
        "G5\tSESN1\tup\t3\t1.3\t1.05\t0.03",
        "G7\tBAX\tdown\t1\t-1.5\t\t0.01",
        "G2\tMDM2\tdown\t2\t-1.1\t-1.05\t0.04",
    ]
    cross = pd.read_csv(written / "cross_drug.tsv", sep="\t", keep_default_na=False)
    assert list(cross["category"]) == [
        "shared",
        "shared",
        "partial",
        "partial",
        "partial",
        "specific",
        "specific",
        "specific",
    ]
    assert (written / "marker_panel.tsv").read_text().splitlines()[:3] == [
        "contrast\tgene_name\tgene_id\tpresent\tlog2FoldChange\tlog2FoldChange_shrunk\tpadj"
        "\tsignificant\tdirection",
        "A\tCDKN1A\tG1\tTrue\t2\t1.8\t0.001\tTrue\tup",
        "A\tABCG2\t\tFalse\t\t\t\tFalse\t",
    ]


def test_read_de_table_keeps_gene_names_as_text(tmp_path):
    path = tmp_path / "t.tsv"
    de_table({"G1": (1.0, NAN, NAN)}).assign(gene_name="NA").to_csv(path, sep="\t", index=False)
    table = read_de_table(path)
    assert table.loc[0, "gene_name"] == "NA"
    assert np.isnan(table.loc[0, "padj"])
