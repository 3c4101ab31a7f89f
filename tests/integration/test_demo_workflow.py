"""End to end on the bundled demo: FASTQ to DE tables, signatures and the report.

The demo is a concentration series (SJSA-1 with three MDM2 inhibitors at five doses
around their EC50s at 24 h, Milademetan also at 6 h) plus A2780 parental vs
Milciclib-resistant cells. Its truth tables say which genes were planted with which
log2 fold change and concentration response; these tests check that the workflow
recovers them.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import curve_fit

from conftest import REPO, demo_workdir, run_snakemake

pytestmark = pytest.mark.integration

DRUGS = ["Milademetan", "Nutlin-3a", "AMG-232"]
EC50_UM = {"Milademetan": 0.05, "AMG-232": 0.1, "Nutlin-3a": 0.5}
DOSES = {
    "Milademetan": ["0.005", "0.016", "0.05", "0.16", "0.5"],
    "Nutlin-3a": ["0.05", "0.16", "0.5", "1.6", "5"],
    "AMG-232": ["0.01", "0.032", "0.1", "0.32", "1"],
}
SERIES = [(drug, "24h") for drug in DRUGS] + [("Milademetan", "6h")]


def contrast(drug: str, dose: str, time: str = "24h") -> str:
    return f"SJSA-1_{drug}_{dose}_{time}_vs_DMSO"


DOSE_CONTRASTS = [contrast(drug, dose, time) for drug, time in SERIES for dose in DOSES[drug]]
# The two highest doses (EC50 x 3.2 and x 10) at 24 h: every p53 target is well up.
UPPER_CONTRASTS = [contrast(drug, dose) for drug in DRUGS for dose in DOSES[drug][-2:]]
TOP_CONTRASTS = [contrast(drug, DOSES[drug][-1]) for drug in DRUGS]
RESISTANCE = "A2780_MilciclibR_vs_parental"
CONTRASTS = [*DOSE_CONTRASTS, RESISTANCE]
# Milademetan at 6 h and 24 h with DMSO at both: a time x treatment interaction per dose
INTERACTIONS = [f"SJSA-1_Milademetan_{dose}_24h_vs_6h_interaction" for dose in DOSES["Milademetan"]]
ALL_CONTRASTS = [*DOSE_CONTRASTS, *INTERACTIONS, RESISTANCE]  # order of contrasts.tsv
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


@pytest.fixture(scope="module")
def response_truth():
    return pd.read_csv(REPO / "resources" / "demo" / "truth_concentration_response.tsv", sep="\t")


def de_table(results, contrast):
    return pd.read_csv(results / "de" / f"{contrast}.tsv", sep="\t").set_index("gene_name")


def test_contrasts_are_those_of_the_truth_table(results, truth):
    described = pd.read_csv(results / "de" / "contrasts.tsv", sep="\t")
    names = described.loc[described["kind"] != "interaction", "name"].tolist()
    assert names == CONTRASTS == list(dict.fromkeys(truth["contrast"]))
    assert described["name"].tolist() == ALL_CONTRASTS
    assert described.loc[described["kind"] == "interaction", "name"].tolist() == INTERACTIONS


def test_lrt_of_every_dose_series(results):
    index = pd.read_csv(results / "de" / "lrt" / "series.tsv", sep="\t", dtype=str)
    assert list(index.columns) == [
        "series", "factor", "cell_line", "genotype", "drug", "time", "levels", "samples",
        "n_samples", "n_significant",
    ]  # fmt: skip
    assert index["series"].tolist() == [
        f"SJSA-1_parental_{drug}_{time}_dose" for drug, time in SERIES
    ]
    assert (index["n_samples"] == "13").all()
    for row in index.to_dict("records"):
        assert row["levels"] == ";".join(["0", *DOSES[row["drug"]]])
        table = pd.read_csv(results / "de" / "lrt" / f"{row['series']}.tsv", sep="\t")
        assert int(row["n_significant"]) == (table["padj"] < PADJ).sum()
        if row["time"] == "24h":  # every p53 target responds at 24 h
            assert set(P53_TARGETS) <= set(table.loc[table["padj"] < PADJ, "gene_name"])


def test_count_matrix_has_every_sample_and_gene_names(results):
    counts = pd.read_csv(results / "counts" / "counts.tsv", sep="\t")
    samples = pd.read_csv(REPO / "config" / "samples.tsv", sep="\t")
    assert len(samples) == 52
    assert list(counts.columns) == ["gene_id", "gene_name", *samples["sample"]]
    assert {*P53_TARGETS, "GAPDH", "ACTB", "RB1", "ABCB1"} <= set(counts["gene_name"])
    totals = counts[samples["sample"]].sum()
    assert (totals > 3000).all(), totals
    assert totals.max() / totals.min() > 1.5  # library sizes differ by design


def test_de_tables_have_the_documented_columns(results):
    for name in CONTRASTS:
        table = pd.read_csv(results / "de" / f"{name}.tsv", sep="\t")
        assert list(table.columns[:8]) == [
            "gene_id", "gene_name", "baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue",
            "padj",
        ]  # fmt: skip


def test_planted_genes_are_recovered_with_precision_and_recall(results, truth):
    """Called = padj < 0.05. Precision over all 21 contrasts (a call is right when the
    gene has any planted effect there); recall of the genes planted with |log2FC| >= 1.5
    over all contrasts, and with |log2FC| >= 1 at the upper doses."""
    called, any_effect, strong, upper = set(), set(), set(), set()
    for name in CONTRASTS:
        table = de_table(results, name)
        called |= {(name, gene) for gene in table.index[table["padj"] < PADJ]}
        rows = truth[truth["contrast"] == name]
        any_effect |= {(name, g) for g in rows.loc[rows["true_log2fc"] != 0, "gene_name"]}
        strong |= {(name, g) for g in rows.loc[rows["true_log2fc"].abs() >= 1.5, "gene_name"]}
        if name in [*UPPER_CONTRASTS, RESISTANCE]:
            upper |= {(name, g) for g in rows.loc[rows["true_log2fc"].abs() >= 1, "gene_name"]}
    precision = len(called & any_effect) / len(called)
    recall_strong = len(called & strong) / len(strong)
    recall_upper = len(called & upper) / len(upper)
    print(f"precision {precision:.3f} ({len(called)} called), recall {recall_strong:.3f} "
          f"({len(strong)} planted with |log2FC| >= 1.5), {recall_upper:.3f} at the upper "
          f"doses ({len(upper)} with |log2FC| >= 1)")  # fmt: skip
    assert precision >= 0.9
    assert recall_strong >= 0.9
    assert recall_upper >= 0.9


def test_p53_targets_up_at_the_upper_doses_of_every_mdm2_inhibitor(results):
    for name in UPPER_CONTRASTS:
        table = de_table(results, name).loc[P53_TARGETS]
        assert (table["padj"] < PADJ).all(), (name, table)
        assert (table["log2FoldChange"] > 0.5).all(), (name, table)
    # at 6 h the fast targets respond already
    table = de_table(results, contrast("Milademetan", "0.5", "6h")).loc[["CDKN1A", "MDM2"]]
    assert (table["padj"] < PADJ).all() and (table["log2FoldChange"] > 1).all(), table


def test_p53_targets_rise_with_dose(results):
    for drug, time in SERIES:
        # at 6 h only the fast targets are far up (GDF15 reaches 0.9 there)
        genes = P53_TARGETS if time == "24h" else ["CDKN1A", "MDM2"]
        lowest, highest = (
            de_table(results, contrast(drug, dose, time)).loc[genes, "log2FoldChange"]
            for dose in (DOSES[drug][0], DOSES[drug][-1])
        )
        assert (highest > lowest + 1).all(), (drug, time, lowest, highest)
        assert lowest.mean() < 0.6, (drug, time, lowest)  # EC50 / 10: little effect


def test_milademetan_is_more_potent_than_nutlin(results):
    for dose in ("0.05", "0.5"):  # both tested at these concentrations
        milademetan = de_table(results, contrast("Milademetan", dose)).loc["CDKN1A"]
        nutlin = de_table(results, contrast("Nutlin-3a", dose)).loc["CDKN1A"]
        assert milademetan["log2FoldChange"] > nutlin["log2FoldChange"] + 0.5, dose


def test_ec50s_recovered_from_the_dose_series(results, response_truth):
    """A Hill curve fitted to the strong p53 targets' log2 fold changes (each as a
    fraction of its planted top) along each series gives the planted EC50 within 2x,
    and the drugs in their planted order of potency."""
    ec50 = {}
    for drug, time in SERIES:
        planted = response_truth[
            (response_truth["drug"] == drug) & (response_truth["time"] == time)
        ].set_index("gene_name")
        genes = [g for g in P53_TARGETS if planted.loc[g, "top_log2fc"] >= 2]
        doses = np.array([float(dose) for dose in DOSES[drug]])
        fractions = np.array(
            [
                (
                    de_table(results, contrast(drug, dose, time)).loc[genes, "log2FoldChange"]
                    / planted.loc[genes, "top_log2fc"]
                ).mean()
                for dose in DOSES[drug]
            ]
        )

        def hill(c, log_ec50, h):
            return c**h / (10 ** (log_ec50 * h) + c**h)

        (log_ec50, _), _ = curve_fit(
            hill, doses, fractions, p0=[np.log10(doses[2]), 1.0], bounds=([-4, 0.3], [2, 4])
        )
        ec50[(drug, time)] = 10**log_ec50
        truth = planted["ec50_um"].iloc[0]
        assert truth / 2 < ec50[(drug, time)] < truth * 2, (drug, time, ec50, fractions)
    at_24h = {drug: ec50[(drug, "24h")] for drug in DRUGS}
    assert at_24h["Milademetan"] < at_24h["AMG-232"] < at_24h["Nutlin-3a"], at_24h
    assert 4 < at_24h["Nutlin-3a"] / at_24h["Milademetan"] < 25, at_24h


def test_resistance_markers(results):
    table = de_table(results, RESISTANCE)
    assert table.loc["ABCB1", "padj"] < PADJ and table.loc["ABCB1", "log2FoldChange"] > 2
    assert table.loc["RB1", "padj"] < PADJ and table.loc["RB1", "log2FoldChange"] < -1
    assert table.loc["CCNE1", "log2FoldChange"] > 1


def test_fold_changes_track_the_truth(results, truth):
    """Per contrast at the upper doses (true effects up to 1.5-4; below, they shrink
    towards the noise of two replicates) and over each whole series."""
    series_pairs: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for name in CONTRASTS:
        expected = truth[(truth["contrast"] == name) & (truth["true_log2fc"] != 0)]
        estimated = de_table(results, name)["log2FoldChange"]
        pairs = expected.set_index("gene_name")["true_log2fc"].to_frame().join(estimated)
        if name == RESISTANCE:
            assert pairs.corr().iloc[0, 1] > 0.9, (name, pairs)
            continue
        drug, _, time = name.split("_")[1:4]
        series_pairs.setdefault((drug, time), []).append(pairs)
        if name in UPPER_CONTRASTS:
            assert pairs.corr().iloc[0, 1] > 0.9, (name, pairs)
    for (drug, time), frames in series_pairs.items():
        # 6 h: smaller effects (0.3-2.7 at the top dose), so a lower bar
        assert pd.concat(frames).corr().iloc[0, 1] > (0.9 if time == "24h" else 0.8), drug


def test_signature_tables(results):
    for name in TOP_CONTRASTS:
        signature = pd.read_csv(results / "signatures" / f"{name}.tsv", sep="\t")
        up = signature[signature["direction"] == "up"]
        assert {"CDKN1A", "MDM2"} <= set(up["gene_name"])
        assert up["rank"].tolist() == list(range(1, len(up) + 1))
    # the three drugs share most of their top-dose signature (the p53 program)
    similarity = pd.read_csv(results / "compare" / "similarity.tsv", sep="\t")
    pairs = similarity[
        similarity["contrast_a"].isin(TOP_CONTRASTS) & similarity["contrast_b"].isin(TOP_CONTRASTS)
    ]
    assert len(pairs) == 3
    assert (pairs["n_shared"] >= 8).all() and (pairs["jaccard"] > 0.4).all(), pairs
    panel = pd.read_csv(results / "signatures" / "marker_panel.tsv", sep="\t")
    assert set(panel["contrast"]) == set(ALL_CONTRASTS)
    assert {"CDKN1A", "BBC3", "MDM2", "GDF15"} <= set(panel["gene_name"])


def test_dose_and_time_response_tables(results):
    dose = pd.read_csv(results / "dose_response" / "dose_response.tsv", sep="\t")
    calls = dose.set_index(["drug", "time", "gene_name"])["call"]
    for drug, time in SERIES:
        assert calls[(drug, time, "CDKN1A")] == "increasing", (drug, time)
        assert calls[(drug, time, "MDM2")] == "increasing", (drug, time)
    assert calls[("Milademetan", "24h", "SYN0002")] == "decreasing"  # its own falling gene
    assert calls[("Nutlin-3a", "24h", "SYN0008")] == "decreasing"
    assert calls[("Milademetan", "24h", "GAPDH")] == "none"
    time_response = pd.read_csv(results / "dose_response" / "time_response.tsv", sep="\t")
    top = time_response[(time_response["drug"] == "Milademetan") & (time_response["dose"] == 0.5)]
    # GDF15 reaches 30 % of its 24 h effect at 6 h: 0.87 -> 2.9
    assert top.set_index("gene_name").loc["GDF15", "call"] == "increasing"


def test_multiqc_report_has_tool_and_workflow_sections(results):
    html = (results / "multiqc" / "multiqc_report.html").read_text()
    for section in ("Cutadapt", "STAR", "featureCounts", "Samtools", "de_summary", "marker_panel"):
        assert section in html, section
    for section in ("lrt_series", "excluded_samples"):  # the LRT series; no sample excluded
        assert section in html, section


def test_every_heavy_rule_wrote_a_benchmark(results):
    # star_index is cacheable between workflows instead (Snakemake allows one or the other)
    for rule in ("reads_to_counts", "deseq2", "deseq2_lrt", "concentration_response_fit"):
        assert list((results / "benchmarks").rglob(f"*{rule}*")), rule


def test_p53_target_set_enriched_at_the_upper_doses(results):
    summary = pd.read_csv(results / "genesets" / "summary.tsv", sep="\t")
    p53 = summary[summary["set"] == "P53_TARGETS_FISCHER2017"].set_index("contrast")
    for name in UPPER_CONTRASTS:
        assert p53.loc[name, "nes"] > 1.5 and p53.loc[name, "fdr"] < 0.05, name


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
    fits = pd.read_csv(results / "viability" / "fits.tsv", sep="\t")
    fits = fits[fits["cell_line"] == "SJSA-1"].set_index("drug")
    assert fits["flags"].isna().all(), fits
    for drug, ec50 in EC50_UM.items():  # cytotoxic IC50 = 20 x transcriptional EC50
        assert fits.loc[drug, "ic50_um"] == pytest.approx(20 * ec50, rel=0.15), drug


def test_qpcr_agrees_in_sign_with_rnaseq_for_planted_genes(results):
    concordance = pd.read_csv(results / "qpcr" / "concordance.tsv", sep="\t")
    planted = concordance[concordance["contrast"].isin(DOSE_CONTRASTS)]
    assert len(planted) == 4 * len(DOSE_CONTRASTS)
    upper = planted[planted["contrast"].isin(UPPER_CONTRASTS)]
    assert len(upper) == 4 * len(UPPER_CONTRASTS)
    assert upper["same_sign"].all(), upper


def test_sample_qc_flags_nothing_on_the_demo(results):
    qc = pd.read_csv(results / "qc" / "sample_qc.tsv", sep="\t")
    assert len(qc) == 52
    assert (qc["strandedness"] == "reverse").all()
    assert qc["flags"].isna().all(), qc
    assert (qc["mapping_rate"] > 0.95).all()


def test_report_has_analysis_plot_and_assay_sections(results):
    html = (results / "multiqc" / "multiqc_report.html").read_text()
    for section in (
        "plot_pca", "plot_volcano", "plot_signature_heatmap", "plot_signature_overlap",
        "genesets_nes", "compare_similarity", "resistance_panel", "drugsig_viability",
        "drugsig_qpcr", "sample_qc", "FastQC", "compare_relative_response",
        "drugsig_concentration_response",
    ):  # fmt: skip
        assert section in html, section


def test_multiqc_general_statistics_has_one_row_per_sample(results):
    """FastQC's R1 and R2 rows fold under their sample's row (table_sample_merge)."""
    stats = pd.read_csv(
        results / "multiqc" / "multiqc_report_data" / "multiqc_general_stats.txt", sep="\t"
    )
    samples = set(pd.read_csv(REPO / "config" / "samples.tsv", sep="\t")["sample"])
    rows = set(stats["Sample"])
    assert samples <= rows
    assert rows - samples <= {f"{sample} Read {i}" for sample in samples for i in (1, 2)}


def test_multiqc_pca_volcano_and_ma_are_interactive(results):
    html = (results / "multiqc" / "multiqc_report.html").read_text()
    for plot in ("plot_pca_scatter", "plot_volcano_scatter", "plot_ma_scatter"):
        assert plot in html, plot
    custom = results / "multiqc" / "custom"
    pca = json.loads((custom / "plot_pca_mqc.json").read_text())
    n_genes = len(pd.read_csv(results / "counts" / "counts.tsv", sep="\t"))
    assert f"counts of the {min(n_genes, 500):,} most variable genes" in pca["description"]
    assert len(pca["data"]["points"]) == 52
    volcano = json.loads((custom / "plot_volcano_mqc.json").read_text())
    assert [label["name"] for label in volcano["pconfig"]["data_labels"]] == ALL_CONTRASTS
    assert not (custom / "plot_volcano_mqc.html").exists()


def test_snakemake_report_holds_the_captioned_results(results):
    """`snakemake --report report.zip` after the run, in the same working directory."""
    workdir = results.parent
    run_snakemake(workdir, "--report", "report.zip")
    with zipfile.ZipFile(workdir / "report.zip") as archive:
        names = archive.namelist()
    assert "report/report.html" in names
    files = {Path(name).name for name in names if name.startswith("report/data/raw/")}
    expected = {
        "multiqc_report.html", "pca.png", "sample_distances.png", "de_summary.tsv",
        "signature_heatmap.png", "signature_overlap.png", "cross_drug.tsv",
        "relative_response.tsv", "similarity.tsv", "enrichment.png", "resistance_panel.png",
        "dose_response.tsv",
        "time_response.tsv", "fold_resistance.tsv", "dose_response.png", "concordance.png",
        *(f"{name}.png" for name in CONTRASTS[:10]),
    }  # fmt: skip
    assert expected <= files, expected - files
    assert f"{CONTRASTS[10]}.png" not in files  # volcano and MA of the first 10 only


CR = "concentration_response"


def test_concentration_response_potency_covers_the_planted_ratio(results):
    """Milademetan (EC50 0.05 µM) is planted 10x as potent as Nutlin-3a (0.5 µM)."""
    potency = pd.read_csv(results / CR / "potency.tsv", sep="\t")
    row = potency.set_index(["drug", "time"]).loc[("Nutlin-3a", "24h")]
    assert row["reference_drug"] == "Milademetan"  # first drug in the sheet
    assert row["n_genes"] >= 5
    # ratio = BMC(Milademetan) / BMC(Nutlin-3a): Milademetan : Nutlin-3a = 1 / ratio
    assert 1 / row["ci_high"] <= 10 <= 1 / row["ci_low"]
    assert 1 / row["ratio"] > 3


def test_concentration_response_cdkn1a_bmc_matches_the_planted_curve(results, response_truth):
    genes = pd.read_csv(results / CR / "genes.tsv", sep="\t")
    fit = genes.set_index(["drug", "time", "gene_name"]).loc[("Milademetan", "24h", "CDKN1A")]
    truth = response_truth.set_index(["drug", "time", "gene_name"]).loc[
        ("Milademetan", "24h", "CDKN1A")
    ]
    # the planted concentration at which CDKN1A moves by the gene's BMR (log2 units)
    delta = fit["bmr_delta"]
    planted = truth["ec50_um"] * (delta / (truth["top_log2fc"] - delta)) ** (1 / truth["hill"])
    assert fit["direction"] == "up"
    assert planted / 3 <= fit["bmc"] <= planted * 3
    assert fit["bmcl"] <= fit["bmc"] <= fit["bmcu"]
    assert fit["bmc"] <= truth["c_at_log2fc_0.5"] * 3


def test_concentration_response_tpod_and_selectivity(results):
    tpod = pd.read_csv(results / CR / "tpod.tsv", sep="\t").set_index(["drug", "time"])
    assert set(tpod.index) == {*((drug, "24h") for drug in DRUGS), ("Milademetan", "6h")}
    at_24h = tpod.xs("24h", level="time").loc[DRUGS]
    # viability IC50s are planted at 20x the expression EC50s: a wide, positive window
    assert (at_24h["selectivity_log10"] > 0.5).all()
    assert np.allclose(at_24h["selectivity_log10"], np.log10(at_24h["ic50"] / at_24h["tpod"]))
    assert at_24h["tpod"].idxmin() in {"Milademetan", "AMG-232"}
    series = pd.read_csv(results / CR / "series.tsv", sep="\t")
    assert (series["status"] == "modelled").all() and len(series) == 4
    for name in ("curves", "accumulation", "potency", "selectivity"):
        assert (results / CR / f"{name}.png").stat().st_size > 0
        assert (results / CR / f"{name}.svg").stat().st_size > 0
