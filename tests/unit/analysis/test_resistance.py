import math

import pandas as pd
import pytest
from unit_shared import result_table, split_custom_content

from drugsig.analysis.genesets import GeneSet
from drugsig.analysis.resistance import (
    MECHANISM_COLUMNS,
    PANEL_COLUMNS,
    mechanisms,
    panel,
    write_resistance,
)
from drugsig.diffexp.deseq import CONTRAST_COLUMNS, RESULT_COLUMNS

CFG = {"padj": 0.05, "min_abs_log2fc": 1.0, "set_fdr": 0.05}
GENE_SETS = [
    GeneSet("PI3K_AKT_MTOR_SIGNALING", "curated", ("AKT1", "MTOR", "PIK3CA")),
    GeneSet("RAS_MEK_ERK_SIGNALING", "curated", ("KRAS", "DUSP6", "ETV4")),
]


def de_table(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """DE table from ``(gene_id, gene_name, shrunken log2FC, padj)`` rows."""
    table = pd.DataFrame(rows, columns=["gene_id", "gene_name", "log2FoldChange_shrunk", "padj"])
    table = table.assign(
        baseMean=100.0,
        log2FoldChange=table["log2FoldChange_shrunk"] * 1.1,
        lfcSE=0.2,
        stat=1.0,
        pvalue=table["padj"] / 10,
        lfcSE_shrunk=0.2,
    )
    return table[RESULT_COLUMNS]


RESISTANT = de_table(
    [
        ("E01", "RB1", -2.0, 1e-5),
        ("E02", "CCNE1", 2.0, 1e-4),
        ("E03", "CDK2", 0.5, 1e-3),  # significant but below |log2FC| 1
        ("E04", "ABCB1", -1.5, 1e-3),  # significant the wrong way
        ("E05", "NTRK1", 3.0, 0.2),  # large but not significant
        ("E06", "NTRK1", 1.2, 0.01),  # same symbol, smaller padj: this one is used
        ("E07", "ngf", 1.0, 0.04),  # symbol matched case-insensitively
        ("E08", "AKT1", 0.4, 0.5),
        ("E09", "MTOR", 0.2, 0.5),
        ("E10", "KRAS", -0.3, 0.5),
        ("E11", "PIK3CA", 1.5, 1e-3),  # a significant member corroborates the set's call
        ("E12", "DUSP6", -1.4, 1e-3),
    ]
)
ENRICHMENT = result_table(
    [("PI3K_AKT_MTOR_SIGNALING", "curated", 1.8, 0.01), ("OTHER", "h", 1.0, 0.5)]
)


def test_panel():
    evidence = panel({"R": RESISTANT}, {"R": ENRICHMENT}, GENE_SETS, CFG)
    assert list(evidence.columns) == PANEL_COLUMNS
    rows = evidence.drop(columns=["log2FoldChange", "padj", "score"]).fillna("")
    assert rows.values.tolist() == [
        ["R", "RB1 loss", "RB1", "gene", "down", "E01", "supports"],
        ["R", "CCNE1/CDK2 up", "CCNE1", "gene", "up", "E02", "supports"],
        ["R", "CCNE1/CDK2 up", "CDK2", "gene", "up", "E03", "no evidence"],
        ["R", "ABC efflux (ABCB1/ABCG2) up", "ABCB1", "gene", "up", "E04", "against"],
        ["R", "ABC efflux (ABCB1/ABCG2) up", "ABCG2", "gene", "up", "", "no evidence"],
        [
            "R",
            "PI3K/AKT/mTOR activation",
            "PI3K_AKT_MTOR_SIGNALING",
            "gene set",
            "up",
            "",
            "supports",
        ],
        [
            "R",
            "RAS/MEK/ERK activation",
            "RAS_MEK_ERK_SIGNALING",
            "gene set",
            "up",
            "",
            "no evidence",
        ],
        ["R", "NTRK1/NGF", "NTRK1", "gene", "up", "E06", "supports"],
        ["R", "NTRK1/NGF", "NGF", "gene", "up", "E07", "supports"],
    ]
    values = evidence.set_index("evidence")
    assert values.loc["RB1", "log2FoldChange"] == -2.0
    assert values.loc["NTRK1", "padj"] == 0.01
    assert math.isnan(values.loc["ABCG2", "log2FoldChange"])
    # Sets: mean effect size of the set's genes, the GSEA FDR and the NES.
    assert values.loc["PI3K_AKT_MTOR_SIGNALING", "log2FoldChange"] == pytest.approx(0.7)
    assert values.loc["PI3K_AKT_MTOR_SIGNALING", ["padj", "score"]].tolist() == [0.01, 1.8]
    assert values.loc["RAS_MEK_ERK_SIGNALING", "log2FoldChange"] == pytest.approx(-0.85)
    assert values.loc[["RAS_MEK_ERK_SIGNALING", "RB1"], "score"].isna().all()


@pytest.mark.parametrize(
    ("nes", "fdr", "call"), [(-1.5, 0.01, "against"), (1.5, 0.2, "no evidence")]
)
def test_panel_set_calls(nes, fdr, call):
    enrichment = result_table([("RAS_MEK_ERK_SIGNALING", "curated", nes, fdr)])
    evidence = panel({"R": RESISTANT}, {"R": enrichment}, GENE_SETS, CFG)
    assert evidence.set_index("evidence").loc["RAS_MEK_ERK_SIGNALING", "call"] == call


def test_set_call_needs_a_significant_member_gene():
    """A significant GSEA result whose genes are each unremarkable makes no call."""
    enrichment = result_table([("RAS_MEK_ERK_SIGNALING", "curated", -1.7, 0.01)])
    quiet = RESISTANT[RESISTANT["gene_name"] != "DUSP6"]
    evidence = panel({"R": quiet}, {"R": enrichment}, GENE_SETS, CFG)
    assert evidence.set_index("evidence").loc["RAS_MEK_ERK_SIGNALING", "call"] == "no evidence"


def test_mechanisms():
    calls = mechanisms(panel({"R": RESISTANT}, {"R": ENRICHMENT}, GENE_SETS, CFG))
    assert list(calls.columns) == MECHANISM_COLUMNS
    assert calls.values.tolist() == [
        ["R", "RB1 loss", "supports", "RB1 log2FC -2.00, padj 1e-05 (supports)"],
        [
            "R",
            "CCNE1/CDK2 up",
            "supports",
            "CCNE1 log2FC 2.00, padj 0.0001 (supports); CDK2 log2FC 0.50, padj 0.001 (no evidence)",
        ],
        [
            "R",
            "ABC efflux (ABCB1/ABCG2) up",
            "against",
            "ABCB1 log2FC -1.50, padj 0.001 (against); ABCG2: not in the DE table (no evidence)",
        ],
        [
            "R",
            "PI3K/AKT/mTOR activation",
            "supports",
            "PI3K_AKT_MTOR_SIGNALING NES 1.80, FDR 0.01 (supports)",
        ],
        [
            "R",
            "RAS/MEK/ERK activation",
            "no evidence",
            "RAS_MEK_ERK_SIGNALING: not tested, too few genes (no evidence)",
        ],
        [
            "R",
            "NTRK1/NGF",
            "supports",
            "NTRK1 log2FC 1.20, padj 0.01 (supports); NGF log2FC 1.00, padj 0.04 (supports)",
        ],
    ]


def write_inputs(tmp_path, contrasts: pd.DataFrame) -> tuple[list, list]:
    de, sets = tmp_path / "de", tmp_path / "genesets"
    de.mkdir()
    sets.mkdir()
    tables, enrichment = [], []
    for name in contrasts["name"]:
        RESISTANT.to_csv(de / f"{name}.tsv", sep="\t", index=False)
        ENRICHMENT.to_csv(sets / f"{name}.tsv", sep="\t", index=False)
        tables.append(de / f"{name}.tsv")
        enrichment.append(sets / f"{name}.tsv")
    contrasts.to_csv(de / "contrasts.tsv", sep="\t", index=False)
    gmt = tmp_path / "curated.gmt"
    gmt.write_text("PI3K_AKT_MTOR_SIGNALING\td\tAKT1\tMTOR\tPIK3CA\n")
    return tables, enrichment


def test_write_resistance_uses_the_genotype_contrasts(tmp_path):
    contrasts = pd.DataFrame(
        [
            ["Drug_vs_DMSO", "treatment", "condition", "Drug", "DMSO", "A", "", "", 3, 3, "", ""],
            [
                "Res_vs_parental",
                "genotype",
                "genotype",
                "Res",
                "parental",
                "A",
                "",
                "",
                3,
                3,
                "",
                "",
            ],
        ],
        columns=CONTRAST_COLUMNS,
    )
    tables, enrichment = write_inputs(tmp_path, contrasts)
    out = tmp_path / "resistance"
    write_resistance(
        tables,
        enrichment,
        tmp_path / "de" / "contrasts.tsv",
        [tmp_path / "curated.gmt"],
        CFG,
        out / "panel.tsv",
        out / "mechanisms.tsv",
        out / "resistance_panel_mqc.tsv",
    )
    panel_lines = (out / "panel.tsv").read_text().splitlines()
    assert panel_lines[0].split("\t") == PANEL_COLUMNS
    assert panel_lines[1] == (
        "Res_vs_parental\tRB1 loss\tRB1\tgene\tdown\tE01\t-2\t1e-05\t\tsupports"
    )
    assert len(panel_lines) == 10
    assert len((out / "mechanisms.tsv").read_text().splitlines()) == 7
    header, lines = split_custom_content((out / "resistance_panel_mqc.tsv").read_text())
    assert header["id"] == "resistance_panel"
    assert header["plot_type"] == "table"
    assert lines[1].split("\t")[:4] == [
        "Res_vs_parental: RB1",
        "RB1 loss",
        "supports",
        "down",
    ]


def test_write_resistance_without_genotype_contrasts(tmp_path):
    contrasts = pd.DataFrame(
        [["Drug_vs_DMSO", "treatment", "condition", "Drug", "DMSO", "A", "", "", 3, 3, "", ""]],
        columns=CONTRAST_COLUMNS,
    )
    tables, enrichment = write_inputs(tmp_path, contrasts)
    out = tmp_path / "resistance"
    message = "no genotype contrast (resistant vs parental): the resistance panel is empty."
    with pytest.warns(UserWarning) as caught:
        write_resistance(
            tables,
            enrichment,
            tmp_path / "de" / "contrasts.tsv",
            [tmp_path / "curated.gmt"],
            CFG,
            out / "panel.tsv",
            out / "mechanisms.tsv",
            out / "resistance_panel_mqc.tsv",
        )
    assert [str(warning.message) for warning in caught] == [message]
    assert (out / "panel.tsv").read_text() == "\t".join(PANEL_COLUMNS) + "\n"
    assert (out / "mechanisms.tsv").read_text() == "\t".join(MECHANISM_COLUMNS) + "\n"
