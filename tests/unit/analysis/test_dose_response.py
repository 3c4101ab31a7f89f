import math

import pandas as pd
import pytest

from drugsig.analysis.dose_response import (
    Series,
    columns,
    contrast_design,
    find_series,
    hours,
    lrt_series,
    response_table,
    score,
    series_name,
    write_dose_response,
)
from drugsig.diffexp.deseq import CONTRAST_COLUMNS, RESULT_COLUMNS


def de_table(effects: dict[str, float]) -> pd.DataFrame:
    """DE table with the given shrunken log2 fold changes (gene name = lower-case id)."""
    return pd.DataFrame(
        [
            {
                "gene_id": gene,
                "gene_name": gene.lower(),
                "baseMean": 100.0,
                "log2FoldChange": 9.0,  # ignored: the shrunken value is the effect size
                "lfcSE": 0.2,
                "stat": 1.0,
                "pvalue": 0.01,
                "padj": 0.05,
                "log2FoldChange_shrunk": effect,
                "lfcSE_shrunk": 0.2,
            }
            for gene, effect in effects.items()
        ],
        columns=RESULT_COLUMNS,
    )


def sheet(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Samples sheet from ``(sample, condition, dose, time)``; cell line L, parental."""
    table = pd.DataFrame(rows, columns=["sample", "condition", "dose", "time"], dtype=object)
    table.insert(2, "cell_line", "L")
    table.insert(3, "genotype", "parental")
    return table.set_index("sample", drop=False)


def contrast_rows(groups: dict[str, list[str]]) -> pd.DataFrame:
    """Treatment contrasts ``{name: treatment samples}`` of drug N vs DMSO."""
    return pd.DataFrame(
        [
            # time and dose left empty: they are read from the samples sheet
            [
                name,
                "treatment",
                "condition",
                "N",
                "DMSO",
                "L",
                "",
                "",
                2,
                2,
                ",".join(samples),
                "V1,V2",
            ]
            for name, samples in groups.items()
        ],
        columns=CONTRAST_COLUMNS,
    )


# Drug N at 10, 0.1 and 1 uM (sheet order is not dose order) for 24 h, and 1 uM at 6 h.
SAMPLES = sheet(
    [
        ("V1", "DMSO", "0", "24h"),
        ("V2", "DMSO", "0", "24h"),
        ("H1", "N", "10", "24h"),
        ("H2", "N", "10", "24h"),
        ("L1", "N", "0.1", "24h"),
        ("L2", "N", "0.1", "24h"),
        ("M1", "N", "1", "24h"),
        ("M2", "N", "1", "24h"),
        ("E1", "N", "1", "6h"),
        ("E2", "N", "1", "6h"),
    ]
)
CONTRASTS = contrast_rows(
    {"N10": ["H1", "H2"], "N0.1": ["L1", "L2"], "N1": ["M1", "M2"], "N1_6h": ["E1", "E2"]}
)


@pytest.mark.parametrize(
    ("label", "expected"),
    [("6h", 6.0), ("30min", 0.5), ("2d", 48.0), ("24", 24.0), ("1.5H", 1.5), ("90s", 0.025)],
)
def test_hours(label, expected):
    assert hours(label) == pytest.approx(expected)


@pytest.mark.parametrize("label", ["T1", "early", "6 weeks", ""])
def test_hours_unreadable(label):
    assert hours(label) is None


def test_contrast_design():
    design = contrast_design(CONTRASTS, SAMPLES, "genotype")
    assert design.values.tolist() == [
        ["N10", "L", "parental", "N", "DMSO", "10", "24h"],
        ["N0.1", "L", "parental", "N", "DMSO", "0.1", "24h"],
        ["N1", "L", "parental", "N", "DMSO", "1", "24h"],
        ["N1_6h", "L", "parental", "N", "DMSO", "1", "6h"],
    ]


def test_contrast_design_with_mixed_doses_and_no_genotype_column():
    contrasts = contrast_rows({"pooled": ["H1", "L1"]})
    with pytest.warns(UserWarning) as caught:
        design = contrast_design(contrasts, SAMPLES.drop(columns="genotype"), "genotype")
    assert [str(warning.message) for warning in caught] == [
        "contrast pooled: its treatment samples have several values of dose, so it is left "
        "out of the dose series that need one."
    ]
    assert design.values.tolist() == [["pooled", "L", "", "N", "DMSO", None, "24h"]]


def test_find_series():
    design = contrast_design(CONTRASTS, SAMPLES, "genotype")
    assert find_series(design, "dose", 3) == [
        Series(
            {"cell_line": "L", "genotype": "parental", "drug": "N", "time": "24h"},
            ["0.1", "1", "10"],
            ["N0.1", "N1", "N10"],
        )
    ]
    assert find_series(design, "dose", 4) == []
    assert find_series(design, "time", 2) == [
        Series(
            {"cell_line": "L", "genotype": "parental", "drug": "N", "dose": "1"},
            ["6h", "24h"],
            ["N1_6h", "N1"],
        )
    ]


def test_find_series_skips_duplicate_levels_and_unreadable_times():
    design = pd.DataFrame(
        [
            ["a", "L", "", "N", "DMSO", "1", "early"],
            ["b", "L", "", "N", "DMSO", "1", "late"],
            ["c", "L", "", "N", "DMSO", "2", "6h"],
            ["d", "L", "", "N", "DMSO", "2", "360min"],
        ],
        columns=["name", "cell_line", "genotype", "drug", "reference", "dose", "time"],
    )
    with pytest.warns(UserWarning) as caught:
        assert find_series(design, "time", 2) == []
    assert [str(warning.message) for warning in caught] == [
        "time series of cell_line L, drug N, dose 1: cannot read time point(s) early, late "
        "as a number with an optional unit s, min, h or d; the series is skipped.",
        "time series of cell_line L, drug N, dose 2: several contrasts share a time (c, d); "
        "the series is skipped.",
    ]


def test_score_three_levels():
    effects = pd.DataFrame(
        [
            [0.2, 1.0, 2.0],  # rising, large
            [-0.5, -1.0, -3.0],  # falling, large
            [0.1, 0.2, 0.3],  # rising but small
            [1.0, 3.0, 2.0],  # not monotonic
            [1.5, 1.5, 1.5],  # flat
        ],
        index=["up", "down", "small", "bump", "flat"],
    )
    scored = score(effects, 0.9, 1.0)
    assert scored["call"].tolist() == ["increasing", "decreasing", "none", "none", "none"]
    assert scored["rho"].tolist()[:4] == pytest.approx([1.0, -1.0, 1.0, 0.5])
    assert math.isnan(scored.loc["flat", "rho"])
    assert scored["max_abs_log2fc"].tolist() == [2.0, 3.0, 0.3, 3.0, 1.5]
    assert scored["change"].tolist() == pytest.approx([1.8, -2.5, 0.2, 1.0, 0.0])


def test_score_two_levels_calls_on_the_difference():
    effects = pd.DataFrame(
        [[1.5, 1.6], [0.0, 1.2], [2.0, 0.5], [1.0, 1.0]], index=["high", "up", "down", "same"]
    )
    scored = score(effects, 0.9, 1.0)
    assert scored["call"].tolist() == ["none", "increasing", "decreasing", "none"]
    assert scored["rho"].tolist()[:3] == pytest.approx([1.0, 1.0, -1.0], rel=1e-12)
    assert math.isnan(scored.loc["same", "rho"])


def test_response_table():
    tables = {
        "N0.1": de_table({"G1": 0.1, "G2": -0.2, "G3": 0.5, "G4": 1.0}),
        "N1": de_table({"G1": 1.0, "G2": -1.0, "G3": 0.2, "G4": 2.0}),
        "N10": de_table({"G1": 3.0, "G2": -2.0, "G3": 0.4}),
    }
    series = Series(
        {"cell_line": "L", "genotype": "parental", "drug": "N", "time": "24h"},
        ["0.1", "1", "10"],
        ["N0.1", "N1", "N10"],
    )
    table = response_table(tables, [series], "dose", 0.9, 1.0)
    assert list(table.columns) == columns("dose")
    series_columns = ["cell_line", "genotype", "drug", "time", "doses", "contrasts"]
    assert table[series_columns].drop_duplicates().values.tolist() == [
        ["L", "parental", "N", "24h", "0.1;1;10", "N0.1;N1;N10"]
    ]
    # G4 is not tested at 10 uM and is left out.
    assert table[["gene_id", "gene_name", "log2fc", "call"]].values.tolist() == [
        ["G1", "g1", "0.1;1;3", "increasing"],
        ["G2", "g2", "-0.2;-1;-2", "decreasing"],
        ["G3", "g3", "0.5;0.2;0.4", "none"],
    ]
    assert table["rho"].tolist() == pytest.approx([1.0, -1.0, -0.5])
    assert table["max_abs_log2fc"].tolist() == [3.0, 2.0, 0.5]
    assert table["change"].tolist() == pytest.approx([2.9, -1.8, -0.1])


def test_response_table_lrt_filter():
    """In a series with an LRT, only genes with LRT padj < alpha are called."""
    tables = {
        "N0.1": de_table({"G1": 0.1, "G2": -0.2}),
        "N1": de_table({"G1": 1.0, "G2": -1.0}),
        "N10": de_table({"G1": 3.0, "G2": -2.0}),
    }
    keys = {"cell_line": "L", "genotype": "parental", "drug": "N", "time": "24h"}
    series = Series(keys, ["0.1", "1", "10"], ["N0.1", "N1", "N10"])
    assert series_name(keys, "dose") == "L_parental_N_24h_dose"
    padj = {"L_parental_N_24h_dose": pd.Series({"G1": 0.001, "G2": 0.2})}
    table = response_table(tables, [series], "dose", 0.9, 1.0, padj, alpha=0.05)
    assert table.set_index("gene_id")["call"].to_dict() == {"G1": "increasing", "G2": "none"}
    # another series' LRT does not filter this one
    other = {"L_parental_N_6h_dose": pd.Series({"G1": 1.0, "G2": 1.0})}
    table = response_table(tables, [series], "dose", 0.9, 1.0, other, alpha=0.05)
    assert set(table["call"]) == {"increasing", "decreasing"}


def test_lrt_series_from_contrasts():
    from drugsig.inputs.design import build_contrasts

    cfg = {
        "vehicle": "DMSO",
        "genotype_column": "genotype",
        "parental": "parental",
        "covariates": [],
        "contrasts": [],
        "interactions": False,
    }
    samples = SAMPLES.drop(index=["E1", "E2"])  # no vehicle at 6 h
    found = lrt_series(samples, build_contrasts(samples, cfg), cfg)
    # 24 h: the vehicle and three doses
    assert [(one.name, one.factor, one.levels) for one in found] == [
        ("L_parental_N_24h_dose", "dose", ["0", "0.1", "1", "10"])
    ]
    assert found[0].samples == {
        "V1": "0",
        "V2": "0",
        "L1": "0.1",
        "L2": "0.1",
        "M1": "1",
        "M2": "1",
        "H1": "10",
        "H2": "10",
    }
    assert lrt_series(samples, build_contrasts(samples, cfg), cfg, min_levels=5) == []


def test_response_table_without_series():
    table = response_table({}, [], "time", 0.9, 1.0)
    assert table.empty
    assert list(table.columns) == [
        "cell_line",
        "genotype",
        "drug",
        "dose",
        "times",
        "contrasts",
        "gene_id",
        "gene_name",
        "log2fc",
        "rho",
        "max_abs_log2fc",
        "change",
        "call",
    ]


def test_write_dose_response(tmp_path):
    samples = tmp_path / "samples.tsv"
    SAMPLES.to_csv(samples, sep="\t", index=False)
    contrasts = tmp_path / "contrasts.tsv"
    CONTRASTS.to_csv(contrasts, sep="\t", index=False)
    effects = {"N10": 3.0, "N0.1": 0.5, "N1": 1.0, "N1_6h": 0.0}
    tables = []
    for name, effect in effects.items():
        tables.append(tmp_path / f"{name}.tsv")
        de_table({"G1": effect}).to_csv(tables[-1], sep="\t", index=False)
    out = tmp_path / "dose_response"
    write_dose_response(
        tables,
        contrasts,
        samples,
        "genotype",
        {"min_doses": 3, "min_abs_rho": 0.9, "min_abs_log2fc": 1.0},
        out / "dose_response.tsv",
        out / "time_response.tsv",
    )
    assert (out / "dose_response.tsv").read_text().splitlines()[1] == (
        "L\tparental\tN\t24h\t0.1;1;10\tN0.1;N1;N10\tG1\tg1\t0.5;1;3\t1\t3\t2.5\tincreasing"
    )
    assert (out / "time_response.tsv").read_text().splitlines()[1] == (
        "L\tparental\tN\t1\t6h;24h\tN1_6h;N1\tG1\tg1\t0;1\t1\t1\t1\tincreasing"
    )
