import json
import math
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import BIN, tool_environment
from drugsig.assays.qpcr import contrast_samples, ddct, delta_ct, read_qpcr, write_qpcr
from drugsig.assays.viability import write_viability
from drugsig.errors import InputError
from drugsig.simulate.design import DEMO_CONTRASTS, demo_design
from drugsig.simulate.effects import sample_log2fc, true_log2fc
from drugsig.simulate.qpcr import simulate_qpcr
from drugsig.simulate.viability import simulate_viability_plates

QPCR_GENES = ("CDKN1A", "BBC3", "MDM2", "GDF15")

# Ct of (GAPDH, ACTB, CDKN1A) in two technical replicates; dyadic numbers keep the
# arithmetic exact. By hand (reference Ct = mean of GAPDH and ACTB means):
#   R1: ref (18.25 + 19.0) / 2 = 18.625, CDKN1A 25.25 -> dCt 6.625
#   R2: ref (17.5 + 18.25) / 2 = 17.875, CDKN1A 24.625 -> dCt 6.75
#   T1: ref (18.0 + 19.0) / 2 = 18.5,   CDKN1A 22.5  -> dCt 4.0
#   T2: ref (18.25 + 19.25) / 2 = 18.75, CDKN1A 23.0 -> dCt 4.25
#   ddCt = mean(4.0, 4.25) - mean(6.625, 6.75) = 4.125 - 6.6875 = -2.5625
#   SE = sqrt(var(T)/2 + var(R)/2) = sqrt(0.03125/2 + 0.0078125/2) = sqrt(0.01953125)
HAND = {
    "R1": {"GAPDH": (18.0, 18.5), "ACTB": (19.0, 19.0), "CDKN1A": (25.0, 25.5)},
    "R2": {"GAPDH": (17.5, 17.5), "ACTB": (18.5, 18.0), "CDKN1A": (24.5, 24.75)},
    "T1": {"GAPDH": (18.0, 18.0), "ACTB": (19.0, 19.0), "CDKN1A": (22.5, 22.5)},
    "T2": {"GAPDH": (18.25, 18.25), "ACTB": (19.25, 19.25), "CDKN1A": (23.0, 23.0)},
}


def qpcr_rows(cts):
    return [
        {"sample": sample, "gene": gene, "ct": ct, "replicate": replicate}
        for sample, genes in cts.items()
        for gene, values in genes.items()
        for replicate, ct in enumerate(values, start=1)
    ]


def write(path, rows):
    pd.DataFrame(rows).to_csv(path, sep="\t", index=False)
    return path


@pytest.fixture
def sheet(tmp_path):
    names = ["R1", "R2", "T1", "T2"]
    conditions = ["DMSO", "DMSO", "Nutlin-3a", "Nutlin-3a"]
    return write(tmp_path / "samples.tsv", {"sample": names, "condition": conditions})


def hand_ddct(tmp_path, sheet, cts=HAND):
    wells, _ = read_qpcr(write(tmp_path / "qpcr.tsv", qpcr_rows(cts)), sheet)
    return ddct(delta_ct(wells, ("GAPDH", "ACTB")), "T_vs_R", ["T1", "T2"], ["R1", "R2"])


def test_ddct_matches_the_hand_computed_example(tmp_path, sheet):
    row = hand_ddct(tmp_path, sheet).iloc[0]
    assert row["gene"] == "CDKN1A"
    assert (row["dct_treatment"], row["dct_reference"]) == pytest.approx((4.125, 6.6875), rel=1e-12)
    assert row["ddct"] == pytest.approx(-2.5625, rel=1e-12)
    assert row["log2fc"] == pytest.approx(2.5625, rel=1e-12)
    assert row["fold_change"] == pytest.approx(2**2.5625, rel=1e-12)
    assert row["ddct_se"] == pytest.approx(math.sqrt(0.01953125), rel=1e-12)
    var_t, var_r = 0.03125 / 2, 0.0078125 / 2
    welch_df = (var_t + var_r) ** 2 / (var_t**2 + var_r**2)
    t = -2.5625 / math.sqrt(var_t + var_r)
    assert row["pvalue"] == pytest.approx(2 * stats.t.sf(abs(t), welch_df), rel=1e-9)
    half_width = stats.t.ppf(0.975, welch_df) * math.sqrt(var_t + var_r)
    assert row["fold_change_ci_low"] == pytest.approx(2 ** (2.5625 - half_width))
    assert row["fold_change_ci_high"] == pytest.approx(2 ** (2.5625 + half_width))
    assert row["flags"] == ""


def test_undetermined_and_late_wells_are_left_out_and_flagged(tmp_path, sheet):
    cts = {sample: dict(genes) for sample, genes in HAND.items()}
    cts["T1"]["CDKN1A"] = ("22.5", "Undetermined", "22.5")
    cts["R1"]["CDKN1A"] = ("25.0", "25.5", "36.2")
    cts["T1"]["GAPDH"] = ("18.0", "18.0", "Undetermined")
    row = hand_ddct(tmp_path, sheet, cts).iloc[0]
    assert row["ddct"] == pytest.approx(-2.5625, rel=1e-12)  # failed wells are not averaged in
    assert row["flags"] == "excluded_wells=2;excluded_reference_wells=1"


def test_sample_without_amplification_is_dropped_and_named(tmp_path, sheet):
    cts = {sample: dict(genes) for sample, genes in HAND.items()}
    cts["T2"]["CDKN1A"] = ("Undetermined", "No Ct")
    row = hand_ddct(tmp_path, sheet, cts).iloc[0]
    assert row["n_treatment"] == 1
    assert row["ddct"] == pytest.approx(4.0 - 6.6875, rel=1e-12)
    assert row["flags"] == "excluded_wells=2;not_detected=T2;single_replicate"
    assert math.isnan(row["pvalue"])


def test_failed_reference_gene_drops_the_sample(tmp_path, sheet):
    cts = {sample: dict(genes) for sample, genes in HAND.items()}
    cts["R2"]["ACTB"] = ("37.0", "38.1")
    row = hand_ddct(tmp_path, sheet, cts).iloc[0]
    assert (row["n_treatment"], row["n_reference"]) == (2, 1)
    assert row["ddct"] == pytest.approx(4.125 - 6.625, rel=1e-12)
    assert row["flags"] == "excluded_reference_wells=2;reference_failed=R2;single_replicate"


def test_single_replicates_use_the_technical_error(tmp_path, sheet):
    wells, _ = read_qpcr(write(tmp_path / "qpcr.tsv", qpcr_rows(HAND)), sheet)
    row = ddct(delta_ct(wells, ("GAPDH", "ACTB")), "c", ["T1"], ["R1"]).iloc[0]
    # technical SEs: R1 GAPDH 0.25, ACTB 0, CDKN1A 0.25; T1 all 0
    reference_se = math.sqrt(0.25**2 + 0) / 2
    assert row["ddct_se"] == pytest.approx(math.sqrt(0.25**2 + reference_se**2))
    assert row["flags"] == "single_replicate"


def test_contrast_samples_from_de_lists_or_own_condition_column():
    contrast = {
        "name": "c",
        "column": "condition",
        "treatment": "Nutlin-3a",
        "reference": "DMSO",
        "cell_line": "SJSA-1",
        "treatment_samples": "T1,T2,T3",
        "reference_samples": "R1,R2",
    }
    assert contrast_samples(contrast, ["R1", "T1", "T2"], pd.DataFrame()) == (
        ["T1", "T2"],
        ["R1"],
    )
    design = pd.DataFrame(
        {"condition": ["Nutlin-3a", "DMSO", "DMSO"], "cell_line": ["SJSA-1", "SJSA-1", "A2780"]},
        index=["a", "b", "c"],
    )
    assert contrast_samples(contrast, ["a", "b", "c"], design) == (["a"], ["b"])
    genotype = {**contrast, "column": "genotype"}
    assert contrast_samples(genotype, ["a", "b", "c"], design) is None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda rows: rows[4].update(ct="24,5"),
            "row 5 (line 6; sample 'R1', gene 'CDKN1A'): Ct '24,5' is not a number (write "
            "'Undetermined' for wells without amplification).",
        ),
        (
            lambda rows: rows[4].update(ct="-1"),
            "row 5 (line 6; sample 'R1', gene 'CDKN1A'): Ct '-1' is not a non-negative number.",
        ),
        (
            lambda rows: [
                row.update(gene="CDKN1A", replicate=row["replicate"] + 2) for row in rows[2:4]
            ],  # R1's ACTB wells
            "row 1 (line 2; sample 'R1', gene 'GAPDH'): sample 'R1' has no wells of the "
            "reference gene(s) ACTB (qpcr.reference_genes: GAPDH, ACTB).",
        ),
        (
            lambda rows: rows[7].update(sample="X9"),
            "row 8 (line 9; sample 'X9', gene 'GAPDH'): sample 'X9' is not in the samples sheet",
        ),
        (
            lambda rows: rows[1].update(replicate=1),
            "row 2 (line 3; sample 'R1', gene 'GAPDH'): duplicate well (replicate '1' given "
            "twice).",
        ),
    ],
    ids=["non-numeric Ct", "negative Ct", "missing reference gene", "unknown sample", "duplicate"],
)
def test_bad_qpcr_tables_name_the_row(tmp_path, sheet, edit, message):
    rows = qpcr_rows(HAND)
    edit(rows)
    path = write(tmp_path / "qpcr.tsv", rows)
    with pytest.raises(InputError) as error:
        read_qpcr(path, sheet)
    assert str(error.value).startswith(f"{path}, {message}")


def test_own_condition_column_describes_the_samples(tmp_path):
    rows = [
        {**row, "condition": "DMSO" if row["sample"][0] == "R" else "Nutlin-3a",
         "cell_line": "SJSA-1", "well": f"A{number}"}
        for number, row in enumerate(qpcr_rows(HAND), start=1)
    ]  # fmt: skip
    wells, design = read_qpcr(write(tmp_path / "qpcr.tsv", rows), tmp_path / "no_sheet.tsv")
    assert list(design.columns) == ["condition", "cell_line"]
    assert design["condition"].to_dict() == {
        "R1": "DMSO", "R2": "DMSO", "T1": "Nutlin-3a", "T2": "Nutlin-3a"
    }  # fmt: skip
    assert len(wells) == len(rows)


def test_own_condition_column_must_be_consistent_per_sample(tmp_path, sheet):
    rows = [{**row, "condition": "DMSO"} for row in qpcr_rows(HAND)]
    rows[3]["condition"] = "Nutlin-3a"
    path = write(tmp_path / "qpcr.tsv", rows)
    with pytest.raises(InputError, match=r"row 4 .*: the condition values of sample 'R1' differ"):
        read_qpcr(path, sheet)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo design's qPCR run against DE tables carrying the planted fold changes."""
    folder = tmp_path_factory.mktemp("qpcr")
    samples = demo_design(3, 3)
    sheet = pd.DataFrame(
        {
            "sample": [s.name for s in samples],
            "condition": [s.condition for s in samples],
            "cell_line": [s.cell_line for s in samples],
            "genotype": [s.genotype for s in samples],
        }
    )
    write(folder / "samples.tsv", sheet)
    planted = {s.name: {gene: sample_log2fc(gene, s) for gene in QPCR_GENES} for s in samples}
    write(folder / "qpcr.tsv", simulate_qpcr(sheet, planted, np.random.default_rng(7)))
    contrasts, de_tables = [], []
    for contrast in DEMO_CONTRASTS:
        groups = [
            contrast.members(samples, group) for group in (contrast.treated, contrast.reference)
        ]
        same_genotype = contrast.treated.genotype == contrast.reference.genotype
        column = "condition" if same_genotype else "genotype"
        contrasts.append(
            {
                "name": contrast.name,
                "column": column,
                "treatment": getattr(contrast.treated, column),
                "reference": getattr(contrast.reference, column),
                "cell_line": contrast.treated.cell_line,
                "treatment_samples": ",".join(s.name for s in groups[0]),
                "reference_samples": ",".join(s.name for s in groups[1]),
            }
        )
        truth = [true_log2fc(gene, contrast, samples) for gene in QPCR_GENES]
        de_tables.append(
            write(
                folder / f"{contrast.name}.tsv",
                {
                    "gene_id": [f"ENSG{i}" for i in range(4)],
                    "gene_name": QPCR_GENES,
                    "baseMean": 500.0,
                    "log2FoldChange": truth,
                    "lfcSE": 0.2,
                    "padj": 0.01,
                },
            )
        )
    write(folder / "contrasts.tsv", contrasts)
    outputs = {
        key: folder / "out" / name
        for key, name in [
            ("dct_out", "dct.tsv"),
            ("ddct_out", "ddct.tsv"),
            ("concordance_out", "concordance.tsv"),
            ("summary_out", "summary.tsv"),
            ("plot_out", "concordance.png"),
            ("mqc_table", "qpcr_ddct_mqc.json"),
            ("mqc_plot", "qpcr_concordance_mqc.json"),
        ]
    }
    write_qpcr(
        folder / "qpcr.tsv", folder / "samples.tsv", folder / "contrasts.tsv", de_tables, **outputs
    )
    return outputs


def test_demo_qpcr_agrees_in_sign_with_rnaseq_for_every_planted_gene(demo):
    pairs = pd.read_csv(demo["concordance_out"], sep="\t")
    assert len(pairs) == len(DEMO_CONTRASTS) * len(QPCR_GENES)
    planted = pairs[pairs["rnaseq_log2fc"].abs() > 0]
    assert len(planted) == 20 * len(QPCR_GENES)  # every dose of the MDM2 inhibitors
    # the lowest doses move these genes by ~0.1 log2, within the qPCR noise
    planted = planted[planted["rnaseq_log2fc"].abs() >= 0.5]
    assert len(planted) >= 12 * len(QPCR_GENES)
    assert planted["same_sign"].all()
    assert (planted["qpcr_log2fc"] - planted["rnaseq_log2fc"]).abs().max() < 0.5
    summary = pd.read_csv(demo["summary_out"], sep="\t").iloc[0]
    assert summary["pearson_r"] > 0.9


def test_demo_report_files(demo):
    table = json.loads(demo["mqc_table"].read_text())
    assert (table["parent_id"], table["plot_type"]) == ("drugsig_qpcr", "table")
    assert len(table["data"]) == len(DEMO_CONTRASTS) * len(QPCR_GENES)
    first = table["data"]["SJSA-1_Milademetan_0.5_24h_vs_DMSO: CDKN1A"]
    assert first["same_sign"] == "yes"
    assert first["n"] == "3/3"
    plot = json.loads(demo["mqc_plot"].read_text())
    assert "Pearson r = " in plot["description"]
    assert demo["plot_out"].read_bytes().startswith(b"\x89PNG")


def test_report_has_the_viability_and_qpcr_sections(demo, tmp_path):
    custom = tmp_path / "custom"
    custom.mkdir()
    for key in ("mqc_table", "mqc_plot"):
        shutil.copy(demo[key], custom)
    plates = write(tmp_path / "plates.tsv", simulate_viability_plates(np.random.default_rng(1)))
    write_viability(
        plates,
        wells_out=tmp_path / "wells.tsv",
        fits_out=tmp_path / "fits.tsv",
        fold_out=tmp_path / "fold.tsv",
        plot_out=tmp_path / "curves.png",
        mqc_curves=custom / "viability_curves_mqc.json",
        mqc_fold=custom / "viability_fold_resistance_mqc.json",
    )
    result = subprocess.run(
        [BIN / "multiqc", "--no-version-check", "--outdir", tmp_path / "report", custom],
        capture_output=True,
        text=True,
        env=tool_environment(),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "report" / "multiqc_report.html").read_text()
    for section in (
        "viability_curves",
        "viability_fold_resistance",
        "qpcr_ddct",
        "qpcr_concordance",
    ):
        assert f'id="mqc-section-wrapper-{section}"' in report
    for title in (
        "Drug response (viability)",
        "Fold resistance",
        "qRT-PCR validation",
        "qPCR vs RNA-seq",
    ):
        assert title in report
    assert report.count("data:image/png;base64,") == 2
