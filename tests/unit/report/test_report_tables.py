import numpy as np
import pandas as pd
from unit_shared import CONTRASTS, TABLES, split_custom_content

from drugsig.analysis.signatures import MARKER_COLUMNS
from drugsig.report.tables import (
    SUMMARY_COLUMNS,
    custom_content,
    de_summary,
    marker_matrix,
    write_report_tables,
)


def test_de_summary():
    summary = de_summary(TABLES, CONTRASTS, 0.05, 1.0)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary.to_dict("records")[0] == {
        "contrast": "A",
        "kind": "treatment",
        "cell_line": "SJSA-1",
        "n_treatment": 3,
        "n_reference": 3,
        "n_tested": 9,
        "n_up": 5,
        "n_down": 1,
        "top_up": "CDKN1A, BBC3, ZMAT3, GDF15, BAX",
        "top_down": "MDM2",
    }
    assert summary[["contrast", "n_tested", "n_up", "n_down", "top_up"]].values.tolist() == [
        ["A", 9, 5, 1, "CDKN1A, BBC3, ZMAT3, GDF15, BAX"],
        ["B", 9, 2, 2, "CDKN1A, SESN1"],
        ["C", 8, 3, 2, "CDKN1A, BBC3, SESN1"],
        ["R", 3, 1, 0, "ABCB1"],
        ["D", 2, 1, 0, "CDKN1A"],
    ]


def panel(rows: list[tuple]) -> pd.DataFrame:
    columns = ["contrast", "gene_name", "gene_id", "present", "log2FoldChange_shrunk"]
    table = pd.DataFrame(rows, columns=columns).assign(
        log2FoldChange=0.0, padj=0.5, significant=False
    )
    return table.assign(direction="")[MARKER_COLUMNS]


def test_marker_matrix():
    matrix = marker_matrix(
        panel(
            [
                ("A", "MDM2", "G2", True, -1.5),
                ("A", "ABCG2", np.nan, False, np.nan),
                ("A", "PAR", "G7", True, 0.5),
                ("A", "PAR", "G8", True, 0.25),
                ("B", "MDM2", "G2", True, 2.0),
                ("B", "ABCG2", np.nan, False, np.nan),
                ("B", "PAR", "G7", True, np.nan),
            ]
        )
    )
    assert list(matrix.columns) == ["A", "B"]
    assert list(matrix.index) == ["MDM2", "PAR (G7)", "PAR (G8)"]
    assert matrix.fillna(99).values.tolist() == [[-1.5, 2.0], [0.5, 0.0], [0.25, 99]]


def test_custom_content_header_is_yaml():
    config = {"id": "x", "plot_type": "table", "pconfig": {"title": "a: b"}}
    table = pd.DataFrame({"name": ["c1"], "value": [0.123456]})
    header, data = split_custom_content(custom_content(config, table))
    assert header == config
    assert data == ["name\tvalue", "c1\t0.123"]


def test_write_report_tables(tmp_path):
    de = tmp_path / "de"
    de.mkdir()
    tables = []
    for name, table in TABLES.items():
        tables.append(de / f"{name}.tsv")
        table.to_csv(tables[-1], sep="\t", index=False)
    CONTRASTS.to_csv(de / "contrasts.tsv", sep="\t", index=False)
    markers = panel([("A", "MDM2", "G2", True, -1.5), ("D", "MDM2", "G2", True, 3.2)])
    markers.to_csv(tmp_path / "marker_panel.tsv", sep="\t", index=False)
    write_report_tables(
        tables,
        de / "contrasts.tsv",
        tmp_path / "marker_panel.tsv",
        {"padj": 0.05, "min_abs_log2fc": 1.0},
        tmp_path / "de_summary_mqc.tsv",
        tmp_path / "marker_panel_mqc.tsv",
    )
    header, data = split_custom_content((tmp_path / "de_summary_mqc.tsv").read_text())
    assert (header["id"], header["section_name"], header["plot_type"]) == (
        "de_summary",
        "Differential expression",
        "table",
    )
    assert set(header["headers"]) == set(SUMMARY_COLUMNS[1:])
    assert header["headers"]["n_up"]["description"] == (
        "signature genes up (padj < 0.05 and |log2 fold change| >= 1)"
    )
    assert data[0].split("\t") == SUMMARY_COLUMNS
    assert data[1].split("\t") == [
        "A",
        "treatment",
        "SJSA-1",
        "3",
        "3",
        "9",
        "5",
        "1",
        "CDKN1A, BBC3, ZMAT3, GDF15, BAX",
        "MDM2",
    ]
    header, data = split_custom_content((tmp_path / "marker_panel_mqc.tsv").read_text())
    assert (header["id"], header["plot_type"]) == ("marker_panel", "heatmap")
    assert (header["pconfig"]["min"], header["pconfig"]["max"]) == (-4, 4)
    assert data == ["gene\tA\tD", "MDM2\t-1.5\t3.2"]
