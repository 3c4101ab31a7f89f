import math

import pandas as pd
import pytest
from unit_shared import result_table, split_custom_content

from drugsig.analysis.genesets import (
    CURATED_GMT,
    SUMMARY_COLUMNS,
    GeneSet,
    load_gene_sets,
    prerank,
    ranking,
    read_gmt,
    report_matrix,
    summarize,
    write_genesets,
)
from drugsig.analysis.genesets import (
    RESULT_COLUMNS as GENESET_COLUMNS,
)
from drugsig.diffexp.deseq import CONTRAST_COLUMNS, RESULT_COLUMNS
from drugsig.errors import InputError

CURATED = CURATED_GMT


def de_table(stats: dict[str, float], names: dict[str, str] | None = None) -> pd.DataFrame:
    """DE table with the given Wald stats; gene_name = gene id unless ``names`` says."""
    names = names or {}
    return pd.DataFrame(
        [
            {
                "gene_id": gene,
                "gene_name": names.get(gene, gene),
                "baseMean": 100.0,
                "log2FoldChange": stat / 5,
                "lfcSE": 0.2,
                "stat": stat,
                "pvalue": 0.5,
                "padj": 0.5,
                "log2FoldChange_shrunk": stat / 5,
                "lfcSE_shrunk": 0.2,
            }
            for gene, stat in stats.items()
        ],
        columns=RESULT_COLUMNS,
    )


# 30 genes G01..G30 with stats 15, 14, ..., -14 (G01 at the top).
RANKED = de_table({f"G{i:02d}": 16.0 - i for i in range(1, 31)})
TOP = GeneSet("TOP", "mine", ("g01", "G02", "G03", "G04", "G05"))
BOTTOM = GeneSet("BOTTOM", "mine", ("G26", "G27", "G28", "G29", "G30"))
TINY = GeneSet("TINY", "mine", ("G10", "G11", "ABSENT"))


def test_read_gmt(tmp_path):
    gmt = tmp_path / "my.sets.gmt"
    gmt.write_text("A\tfirst\tTP53\tmdm2\tMDM2\t\tCDKN1A\n\nB\thttp://x\tRB1\n")
    assert read_gmt(gmt) == [
        GeneSet("A", "my.sets", ("TP53", "mdm2", "CDKN1A")),
        GeneSet("B", "my.sets", ("RB1",)),
    ]


def test_read_gmt_errors(tmp_path):
    gmt = tmp_path / "bad.gmt"
    gmt.write_text("A\tdescription\tTP53\nB\tno genes\n")
    with pytest.raises(InputError) as error:
        read_gmt(gmt)
    assert str(error.value) == (
        f"{gmt}, line 2: a GMT line needs a set name, a description and at least one gene, "
        "separated by tabs."
    )
    gmt.write_text("A\td\tTP53\nB\td\tRB1\nA\td\tMDM2\n")
    with pytest.raises(InputError) as error:
        read_gmt(gmt)
    assert str(error.value) == (
        f"{gmt}, line 3: gene set 'A' was already defined on line 1; set names must be unique."
    )


GMT_FIX = "Give GMT files (tab-separated text: set name, description, genes) in genesets.gmt."


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", f": the GMT file is empty (no gene sets). {GMT_FIX}"),
        (b"\n\n", f": the GMT file is empty (no gene sets). {GMT_FIX}"),
        (b"\x1f\x8b\x08", f": the file is gzip-compressed; decompress it (gunzip). {GMT_FIX}"),
        (b"PK\x03\x04" + bytes(20), ": the file is a zip archive (an Excel .xlsx workbook?), "
         f"not a text file. {GMT_FIX}"),
        (b"A\td\tTP53\nB\td\tCD\xb5\n", ", line 2: the file is not UTF-8 text (byte 0xb5). "
         "Save it as UTF-8."),
        (None, ": GMT file not found (genesets.gmt)."),
    ],
)  # fmt: skip
def test_read_gmt_file_errors(tmp_path, data, problem):
    gmt = tmp_path / "bad.gmt"
    if data is not None:
        gmt.write_bytes(data)
    with pytest.raises(InputError) as error:
        read_gmt(gmt)
    assert str(error.value) == f"{gmt}{problem}"


def test_load_gene_sets_rejects_a_name_in_two_files(tmp_path):
    first, second = tmp_path / "one.gmt", tmp_path / "two.gmt"
    first.write_text("A\td\tTP53\n")
    second.write_text("B\td\tRB1\nA\td\tMDM2\n")
    with pytest.raises(InputError) as error:
        load_gene_sets([first, second])
    assert str(error.value) == (
        f"gene set 'A' is defined in both {first} and {second}; set names must be unique over "
        "all GMT files (genesets.gmt)."
    )


def test_curated_gmt():
    sets = {gene_set.name: gene_set for gene_set in load_gene_sets([CURATED])}
    assert list(sets) == [
        "P53_TARGETS_FISCHER2017",
        "RB_E2F_CDK2_AXIS",
        "ABC_EFFLUX_TRANSPORTERS",
        "PI3K_AKT_MTOR_SIGNALING",
        "RAS_MEK_ERK_SIGNALING",
        "TRKA_NGF_SIGNALING",
    ]
    assert {gene_set.source for gene_set in sets.values()} == {"drugsig_curated"}
    p53 = sets["P53_TARGETS_FISCHER2017"].genes
    assert len(p53) == 343
    assert p53[:3] == ("CDKN1A", "RRM2B", "MDM2")
    erk_output = {"DUSP6", "ETV4", "ETV5", "SPRY2", "FOSL1", "EGR1"}
    assert erk_output <= set(sets["RAS_MEK_ERK_SIGNALING"].genes)
    assert {"ABCB1", "ABCG2"} <= set(sets["ABC_EFFLUX_TRANSPORTERS"].genes)
    assert {"NGF", "NTRK1"} <= set(sets["TRKA_NGF_SIGNALING"].genes)
    assert "RB1" not in sets["RB_E2F_CDK2_AXIS"].genes
    assert "PTEN" not in sets["PI3K_AKT_MTOR_SIGNALING"].genes


def test_ranking_is_case_insensitive_and_keeps_the_strongest_duplicate():
    table = de_table(
        {"E1": 2.0, "E2": -5.0, "E3": 3.0, "E4": 1.0, "E5": 4.0},
        {"E1": "Mdm2", "E2": "MDM2", "E3": "TP53", "E5": None},
    )
    table.loc[table["gene_id"] == "E4", "stat"] = math.nan
    assert ranking(table).to_dict("list") == {
        "symbol": ["TP53", "MDM2"],
        "gene_name": ["TP53", "MDM2"],
        "stat": [3.0, -5.0],
    }


def test_prerank_finds_the_sets_at_both_ends():
    with pytest.warns(UserWarning) as caught:
        result = prerank(RANKED, [TOP, BOTTOM, TINY], 3, 500, 200, 7, label="contrast X")
    assert [str(warning.message) for warning in caught] == [
        "contrast X: 1 of 3 gene sets skipped, with fewer than genesets.min_size (3) or more "
        "than genesets.max_size (500) genes in the ranking: TINY (2)."
    ]
    assert list(result.columns) == GENESET_COLUMNS
    # Both sets sit at the very ends: no permutation reaches them (p = 0, FDR = 0), so
    # the larger |NES| comes first.
    assert result[["set", "source", "size", "pvalue", "fdr", "leading_edge"]].values.tolist() == [
        ["BOTTOM", "mine", 5, 0.0, 0.0, "G30;G29;G28;G27;G26"],
        ["TOP", "mine", 5, 0.0, 0.0, "G01;G02;G03;G04;G05"],
    ]
    bottom, top = result["nes"]
    assert top > 1.5
    assert bottom < -top
    again = prerank(RANKED, [TOP, BOTTOM], 3, 500, 200, 7)
    pd.testing.assert_frame_equal(result, again)


def test_prerank_without_testable_sets_is_empty_with_a_warning():
    message = (
        "DE table: no gene set has between genesets.min_size and max_size (6-500) genes in "
        "the ranking; the gene-set table is empty."
    )
    with pytest.warns(UserWarning) as caught:
        result = prerank(RANKED, [TOP, BOTTOM], 6, 500, 100, 1)
    assert str(caught[-1].message) == message
    assert result.empty
    assert list(result.columns) == GENESET_COLUMNS


RESULTS = {
    "A": result_table([("P53", "curated", 2.0, 0.0), ("HALLMARK_X", "h", -1.0, 0.3)]),
    "B": result_table([]),
    "C": result_table([("HALLMARK_X", "h", 1.5, 0.01), ("ABC", "curated", 1.2, 0.2)]),
}


def test_summarize():
    summary, matrix = summarize(RESULTS)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert summary.values.tolist() == [
        ["A", "P53", "curated", 2.0, 0.0],
        ["A", "HALLMARK_X", "h", -1.0, 0.3],
        ["C", "HALLMARK_X", "h", 1.5, 0.01],
        ["C", "ABC", "curated", 1.2, 0.2],
    ]
    assert list(matrix.columns) == ["contrast", "ABC", "P53", "HALLMARK_X"]
    assert matrix.fillna(0).values.tolist() == [
        ["A", 0, 2.0, -1.0],
        ["B", 0, 0, 0],
        ["C", 1.2, 0, 1.5],
    ]


def test_report_matrix_keeps_the_sets_with_the_smallest_fdr():
    summary, _ = summarize(RESULTS)
    matrix = report_matrix(summary, limit=2)
    assert list(matrix.index) == ["P53", "HALLMARK_X"]
    assert list(matrix.columns) == ["A", "C"]
    assert matrix.fillna(0).values.tolist() == [[2.0, 0], [-1.0, 1.5]]


def test_write_genesets(tmp_path):
    de = tmp_path / "de"
    de.mkdir()
    RANKED.to_csv(de / "Up_vs_DMSO.tsv", sep="\t", index=False)
    de_table({"G01": 1.0}).to_csv(de / "Few_vs_DMSO.tsv", sep="\t", index=False)
    contrasts = pd.DataFrame(
        [
            ["Up_vs_DMSO", "treatment", "condition", "Up", "DMSO", "L", "", "", 3, 3, "", ""],
            ["Few_vs_DMSO", "treatment", "condition", "Few", "DMSO", "L", "", "", 3, 3, "", ""],
        ],
        columns=CONTRAST_COLUMNS,
    )
    contrasts.to_csv(de / "contrasts.tsv", sep="\t", index=False)
    gmt = tmp_path / "mine.gmt"
    gmt.write_text("TOP\td\tG01\tG02\tG03\tG04\tG05\nBOTTOM\td\tG26\tG27\tG28\tG29\tG30\n")
    out = tmp_path / "genesets"
    names = ["Up_vs_DMSO", "Few_vs_DMSO"]
    with pytest.warns(UserWarning) as caught:
        write_genesets(
            [de / f"{name}.tsv" for name in names],
            de / "contrasts.tsv",
            [gmt],
            {"min_size": 3, "max_size": 500, "permutations": 100, "seed": 42},
            [out / f"{name}.tsv" for name in names],
            out / "summary.tsv",
            out / "nes_matrix.tsv",
            out / "genesets_nes_mqc.tsv",
        )
    assert [str(warning.message) for warning in caught] == [
        "contrast Few_vs_DMSO: 2 of 2 gene sets skipped, with fewer than genesets.min_size (3) "
        "or more than genesets.max_size (500) genes in the ranking: TOP (1), BOTTOM (0).",
        "contrast Few_vs_DMSO: no gene set has between genesets.min_size and max_size (3-500) "
        "genes in the ranking; the gene-set table is empty.",
    ]
    up = pd.read_csv(out / "Up_vs_DMSO.tsv", sep="\t")
    assert list(up["set"]) == ["BOTTOM", "TOP"]
    assert (out / "Few_vs_DMSO.tsv").read_text() == "\t".join(GENESET_COLUMNS) + "\n"
    summary = pd.read_csv(out / "summary.tsv", sep="\t")
    assert summary[["contrast", "set"]].values.tolist() == [
        ["Up_vs_DMSO", "BOTTOM"],
        ["Up_vs_DMSO", "TOP"],
    ]
    matrix = (out / "nes_matrix.tsv").read_text().splitlines()
    assert matrix[0] == "contrast\tBOTTOM\tTOP"
    assert matrix[2] == "Few_vs_DMSO\t\t"
    header, lines = split_custom_content((out / "genesets_nes_mqc.tsv").read_text())
    assert header["id"] == "genesets_nes"
    assert header["plot_type"] == "heatmap"
    assert lines[0] == "set\tUp_vs_DMSO"
    assert [line.split("\t")[0] for line in lines[1:]] == ["BOTTOM", "TOP"]
