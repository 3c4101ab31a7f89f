"""End to end on the bundled demo: FASTQ to DE tables, signatures and the report.

The demo's truth table says which genes were planted with which log2 fold change;
these tests check that the workflow recovers them.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REPO, demo_workdir, run_snakemake

pytestmark = pytest.mark.integration

DRUGS = ["Milademetan", "Nutlin-3a", "AMG-232"]
DRUG_CONTRASTS = [f"SJSA-1_{drug}_vs_DMSO" for drug in DRUGS]
RESISTANCE = "A2780_MilciclibR_vs_parental"
CONTRASTS = [*DRUG_CONTRASTS, RESISTANCE]
P53_TARGETS = ["CDKN1A", "BBC3", "MDM2", "GDF15"]
PADJ = 0.05


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    workdir = demo_workdir(tmp_path_factory.mktemp("run"))
    run_snakemake(workdir, "--cores", "2")
    return workdir / "results"


@pytest.fixture(scope="module")
def truth():
    return pd.read_csv(REPO / "resources" / "demo" / "truth.tsv", sep="\t")


def de_table(results, contrast):
    return pd.read_csv(results / "de" / f"{contrast}.tsv", sep="\t").set_index("gene_name")


def test_count_matrix_has_every_sample_and_gene_names(results):
    counts = pd.read_csv(results / "counts" / "counts.tsv", sep="\t")
    samples = pd.read_csv(REPO / "config" / "samples.tsv", sep="\t")
    assert list(counts.columns) == ["gene_id", "gene_name", *samples["sample"]]
    assert {*P53_TARGETS, "GAPDH", "ACTB", "RB1", "ABCB1"} <= set(counts["gene_name"])
    totals = counts[samples["sample"]].sum()
    assert (totals > 5000).all(), totals
    assert totals.max() / totals.min() > 1.5  # library sizes differ by design


def test_de_tables_have_the_documented_columns(results):
    for contrast in CONTRASTS:
        table = pd.read_csv(results / "de" / f"{contrast}.tsv", sep="\t")
        assert list(table.columns[:8]) == [
            "gene_id", "gene_name", "baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue",
            "padj",
        ]  # fmt: skip


def test_planted_genes_are_recovered_with_precision_and_recall(results, truth):
    """Called = padj < 0.05; planted = |true log2FC| >= 1. Both over all four contrasts."""
    called, planted = set(), set()
    for contrast in CONTRASTS:
        table = de_table(results, contrast)
        called |= {(contrast, gene) for gene in table.index[table["padj"] < PADJ]}
        expected = truth[(truth["contrast"] == contrast) & (truth["true_log2fc"].abs() >= 1)]
        planted |= {(contrast, gene) for gene in expected["gene_name"]}
    nonzero = truth[truth["true_log2fc"] != 0]
    any_effect = {(c, g) for c, g in zip(nonzero["contrast"], nonzero["gene_name"], strict=True)}
    precision = len(called & any_effect) / len(called)
    recall = len(called & planted) / len(planted)
    print(f"precision {precision:.3f} ({len(called)} called), recall {recall:.3f} "
          f"({len(planted)} planted with |log2FC| >= 1)")  # fmt: skip
    assert precision >= 0.9
    assert recall >= 0.9


def test_p53_targets_up_under_every_mdm2_inhibitor(results):
    for contrast in DRUG_CONTRASTS:
        table = de_table(results, contrast).loc[P53_TARGETS]
        assert (table["padj"] < PADJ).all(), (contrast, table)
        assert (table["log2FoldChange"] > 0.5).all(), (contrast, table)


def test_milademetan_is_more_potent_than_nutlin(results):
    milademetan = de_table(results, "SJSA-1_Milademetan_vs_DMSO").loc["CDKN1A", "log2FoldChange"]
    nutlin = de_table(results, "SJSA-1_Nutlin-3a_vs_DMSO").loc["CDKN1A", "log2FoldChange"]
    assert milademetan > nutlin + 0.5


def test_resistance_markers(results):
    table = de_table(results, RESISTANCE)
    assert table.loc["ABCB1", "padj"] < PADJ and table.loc["ABCB1", "log2FoldChange"] > 2
    assert table.loc["RB1", "padj"] < PADJ and table.loc["RB1", "log2FoldChange"] < -1
    assert table.loc["CCNE1", "log2FoldChange"] > 1


def test_fold_changes_track_the_truth(results, truth):
    for contrast in CONTRASTS:
        expected = truth[(truth["contrast"] == contrast) & (truth["true_log2fc"] != 0)]
        estimated = de_table(results, contrast)["log2FoldChange"]
        pairs = expected.set_index("gene_name")["true_log2fc"].to_frame().join(estimated)
        assert pairs.corr().iloc[0, 1] > 0.9, (contrast, pairs)


def test_signature_tables(results):
    for contrast in DRUG_CONTRASTS:
        signature = pd.read_csv(results / "signatures" / f"{contrast}.tsv", sep="\t")
        up = signature[signature["direction"] == "up"]
        assert "CDKN1A" in set(up["gene_name"])
        assert up["rank"].tolist() == list(range(1, len(up) + 1))
    cross = pd.read_csv(results / "signatures" / "cross_drug.tsv", sep="\t")
    shared = set(cross.loc[cross["category"] == "shared", "gene_name"])
    assert {"CDKN1A", "MDM2"} <= shared
    panel = pd.read_csv(results / "signatures" / "marker_panel.tsv", sep="\t")
    assert set(panel["contrast"]) == set(CONTRASTS)
    assert {"CDKN1A", "BBC3", "MDM2", "GDF15"} <= set(panel["gene_name"])


def test_multiqc_report_has_tool_and_workflow_sections(results):
    html = (results / "multiqc" / "multiqc_report.html").read_text()
    for section in ("Cutadapt", "STAR", "featureCounts", "Samtools", "de_summary", "marker_panel"):
        assert section in html, section


def test_every_heavy_rule_wrote_a_benchmark(results):
    # star_index is cacheable between workflows instead (Snakemake allows one or the other)
    for rule in ("reads_to_counts", "deseq2"):
        assert list((results / "benchmarks").rglob(f"*{rule}*")), rule


def test_relative_potency_follows_the_planted_ec50s(results):
    """Truth relative to Milademetan at 0.5 µM: AMG-232 0.92, Nutlin-3a 0.55."""
    potency = pd.read_csv(results / "compare" / "potency.tsv", sep="\t").set_index("drug")
    assert set(potency["reference"]) == {"SJSA-1_Milademetan_vs_DMSO"}
    assert 0.8 <= potency.loc["AMG-232", "slope"] <= 1.05
    assert 0.35 <= potency.loc["Nutlin-3a", "slope"] <= 0.7
    assert potency.loc["Nutlin-3a", "ci_high"] < potency.loc["AMG-232", "ci_low"]


def test_core_signature_holds_the_p53_targets(results):
    core = pd.read_csv(results / "compare" / "core_signature.tsv", sep="\t")
    assert {"CDKN1A", "MDM2", "GDF15"} <= set(core.loc[core["direction"] == "up", "gene_name"])


def test_p53_target_set_enriched_under_every_drug(results):
    summary = pd.read_csv(results / "genesets" / "summary.tsv", sep="\t")
    p53 = summary[summary["set"] == "P53_TARGETS_FISCHER2017"].set_index("contrast")
    for contrast in DRUG_CONTRASTS:
        assert p53.loc[contrast, "nes"] > 1.5 and p53.loc[contrast, "fdr"] < 0.05, contrast


def test_resistance_panel_calls(results):
    calls = pd.read_csv(results / "resistance" / "mechanisms.tsv", sep="\t")
    calls = calls.set_index("mechanism")["call"]
    assert calls["RB1 loss"] == "supports"
    assert calls["CCNE1/CDK2 up"] == "supports"
    assert calls["ABC efflux (ABCB1/ABCG2) up"] == "supports"
    assert calls["NTRK1/NGF"] == "no evidence"
    panel = pd.read_csv(results / "resistance" / "panel.tsv", sep="\t").set_index("evidence")
    assert panel.loc["ABCG2", "call"] == "no evidence"


def test_viability_recovers_ic50s_and_fold_resistance(results):
    fold = pd.read_csv(results / "viability" / "fold_resistance.tsv", sep="\t")
    fold = fold.set_index("cell_line")
    for line, ic50, fold_truth in (
        ("A2780", 0.5, 1.0), ("A2780-MilR1", 5.0, 10.0), ("A2780-MilR2", 8.2, 16.4),
    ):  # fmt: skip
        assert fold.loc[line, "ic50_um"] == pytest.approx(ic50, rel=0.1), line
        assert fold.loc[line, "fold_resistance"] == pytest.approx(fold_truth, rel=0.1), line
    assert fold["flags"].isna().all()


def test_qpcr_agrees_in_sign_with_rnaseq_for_planted_genes(results):
    concordance = pd.read_csv(results / "qpcr" / "concordance.tsv", sep="\t")
    planted = concordance[concordance["contrast"].isin(DRUG_CONTRASTS)]
    assert len(planted) == 12
    assert planted["same_sign"].all(), planted


def test_sample_qc_flags_nothing_on_the_demo(results):
    qc = pd.read_csv(results / "qc" / "sample_qc.tsv", sep="\t")
    assert len(qc) == 18
    assert (qc["strandedness"] == "reverse").all()
    assert qc["flags"].isna().all(), qc
    assert (qc["mapping_rate"] > 0.95).all()


def test_report_has_analysis_plot_and_assay_sections(results):
    html = (results / "multiqc" / "multiqc_report.html").read_text()
    for section in (
        "plot_pca", "plot_volcano", "plot_signature_heatmap", "plot_signature_overlap",
        "genesets_nes", "compare_potency", "resistance_panel", "drugsig_viability",
        "drugsig_qpcr", "sample_qc", "FastQC",
    ):  # fmt: skip
        assert section in html, section
