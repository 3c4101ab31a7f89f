"""Demo design and planted effects of the simulator (drugsig.simulate.design / effects)."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from unit_shared import diffexp_config

from drugsig.errors import InputError
from drugsig.inputs.design import build_contrasts, group_labels
from drugsig.inputs.sheets import load_samples
from drugsig.simulate.design import (
    DEMO_CONTRASTS,
    DOSES_UM,
    DRUGS,
    Contrast,
    Group,
    demo_design,
    dose_label,
)
from drugsig.simulate.effects import (
    DRUG_SPECIFIC_MAX_LOG2FC,
    EC50_UM,
    HILL,
    P53_TARGET_MAX_LOG2FC,
    PLANTED_GENES,
    concentration_at,
    hill_fraction,
    planted_log2fc,
    top_log2fc,
    true_log2fc,
)
from drugsig.simulate.experiment import Settings, _write_sheets
from drugsig.simulate.reads import Strandedness

DIFFEXP = diffexp_config()


def sheet(tmp_path: Path, replicates: int = 2, control_replicates: int = 3):
    """The design's samples sheet as written by the simulator, loaded (and validated
    against the samples schema) as the workflow loads it."""
    settings = Settings(
        outdir="resources/demo",
        sheets_dir=tmp_path,
        seed=1,
        n_genes=220,
        read_pairs=1000,
        read_length=50,
        replicates=replicates,
        control_replicates=control_replicates,
        strandedness=Strandedness.REVERSE,
    )
    samples = demo_design(replicates, control_replicates)
    _write_sheets(settings, samples)
    return samples, load_samples(tmp_path / "samples.tsv")


def test_demo_design_is_a_concentration_series_with_a_second_time_point():
    samples = demo_design(2, 3)
    assert len(samples) == 52 == len({s.name for s in samples})
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", s.name) for s in samples)
    assert [s.name for s in samples[:5]] == [
        "SJSA-1_DMSO_24h_1",
        "SJSA-1_DMSO_24h_2",
        "SJSA-1_DMSO_24h_3",
        "SJSA-1_Milademetan_0p005uM_24h_1",
        "SJSA-1_Milademetan_0p005uM_24h_2",
    ]
    assert [s.name for s in samples[-3:]] == [
        "A2780_MilciclibR_1",
        "A2780_MilciclibR_2",
        "A2780_MilciclibR_3",
    ]
    replicates: dict[Group, int] = {}
    for sample in samples:
        replicates[sample.group] = replicates.get(sample.group, 0) + 1
    series = {
        (g.condition, g.time): sorted(h.dose_um for h in replicates if h.condition == g.condition
                                      and h.time == g.time)
        for g in replicates if g.cell_line == "SJSA-1" and g.condition != "DMSO"
    }  # fmt: skip
    assert series == {
        ("Milademetan", "24h"): list(DOSES_UM["Milademetan"]),
        ("Nutlin-3a", "24h"): list(DOSES_UM["Nutlin-3a"]),
        ("AMG-232", "24h"): list(DOSES_UM["AMG-232"]),
        ("Milademetan", "6h"): list(DOSES_UM["Milademetan"]),
    }
    vehicles = {g: n for g, n in replicates.items() if g.condition == "DMSO"}
    assert {(g.cell_line, g.genotype, g.time): n for g, n in vehicles.items()} == {
        ("SJSA-1", "parental", "24h"): 3,
        ("SJSA-1", "parental", "6h"): 3,
        ("A2780", "parental", "24h"): 3,
        ("A2780", "MilciclibR", "24h"): 3,
    }
    assert all(n == 2 for g, n in replicates.items() if g.condition != "DMSO")
    assert all(s.dose_um == 0 for s in samples if s.condition == "DMSO")
    assert {s.batch for s in samples} == {"b1", "b2", "b3"}
    assert len(demo_design(3, 4)) == 20 * 3 + 4 * 4


@pytest.mark.parametrize("drug", DRUGS)
def test_doses_span_the_ec50_in_half_log_steps(drug):
    doses = np.array(DOSES_UM[drug])
    assert len(doses) >= 5
    steps = np.log10(doses / EC50_UM[drug])
    assert steps == pytest.approx([-1, -0.5, 0, 0.5, 1], abs=0.01)  # two significant digits


def test_dose_labels_have_no_dots():
    assert dose_label(0.016) == "0p016uM"
    assert dose_label(5.0) == "5uM"


def test_sheet_passes_the_schema_and_contrasts_match_the_workflow(tmp_path):
    """The truth table's contrasts are exactly the workflow's default pairwise contrasts,
    in order, and compare the same samples; the workflow adds one time x treatment
    interaction per Milademetan dose (6 h and 24 h, DMSO at both), which has no truth row."""
    samples, table = sheet(tmp_path)
    assert table.loc["SJSA-1_Nutlin-3a_1p6uM_24h_2", ["dose", "time"]].tolist() == ["1.6", "24h"]
    everything = build_contrasts(table, DIFFEXP)
    workflow = [c for c in everything if c.kind != "interaction"]
    assert [c.name for c in workflow] == [c.name for c in DEMO_CONTRASTS]
    assert [c.name for c in everything if c.kind == "interaction"] == [
        f"SJSA-1_Milademetan_{dose}_24h_vs_6h_interaction"
        for dose in ("0.005", "0.016", "0.05", "0.16", "0.5")
    ]
    assert DEMO_CONTRASTS[0].name == "SJSA-1_Milademetan_0.005_24h_vs_DMSO"
    assert DEMO_CONTRASTS[-2].name == "SJSA-1_Milademetan_0.5_6h_vs_DMSO"
    assert DEMO_CONTRASTS[-1].name == "A2780_MilciclibR_vs_parental"
    assert len(DEMO_CONTRASTS) == 21
    for ours, theirs in zip(DEMO_CONTRASTS, workflow, strict=True):
        labels = group_labels(table, theirs.factor, DIFFEXP["vehicle"])
        for group, label in ((ours.treated, theirs.treatment_group),
                             (ours.reference, theirs.reference_group)):  # fmt: skip
            members = [s.name for s in ours.members(samples, group)]
            assert members == list(labels.index[labels == label]), ours.name


def test_contrasts_with_more_replicates_still_match(tmp_path):
    _, table = sheet(tmp_path, replicates=3, control_replicates=2)
    pairwise = [c.name for c in build_contrasts(table, DIFFEXP) if c.kind != "interaction"]
    assert pairwise == [c.name for c in DEMO_CONTRASTS]


def test_hill_fraction_follows_ec50_and_hill():
    assert hill_fraction("DMSO", 0.0) == 0.0
    for drug in DRUGS:
        assert hill_fraction(drug, EC50_UM[drug]) == pytest.approx(0.5)
        assert hill_fraction(drug, 10 * EC50_UM[drug]) == pytest.approx(1 / (1 + 10 ** -HILL[drug]))
        assert 1 <= HILL[drug] <= 2
    assert hill_fraction("AMG-232", 0.5) == pytest.approx(5**1.5 / (1 + 5**1.5))
    # Milademetan is 10x as potent: at a tenth of the dose it is as far up its curve.
    assert EC50_UM["Nutlin-3a"] == 10 * EC50_UM["Milademetan"]
    assert hill_fraction("Milademetan", 0.05) == pytest.approx(hill_fraction("Nutlin-3a", 0.5))
    assert hill_fraction("Milademetan", 0.5) > hill_fraction("Nutlin-3a", 0.5)


@pytest.mark.parametrize(
    ("condition", "dose", "message"),
    [
        ("Milciclib", 0.5, "no planted response for condition 'Milciclib'"),
        ("AMG-232", -1.0, "dose"),
        ("AMG-232", math.inf, "dose"),
    ],
)
def test_hill_fraction_rejects_bad_input(condition, dose, message):
    with pytest.raises(InputError, match=message):
        hill_fraction(condition, dose)


def test_planted_log2fc_exact_values():
    def hill(c, ec50, h):
        return c**h / (ec50**h + c**h)

    assert planted_log2fc("CDKN1A", "Milademetan", 0.5, "parental") == pytest.approx(
        3.5 * hill(0.5, 0.05, 1.5)
    )
    assert planted_log2fc("MDM2", "Nutlin-3a", 0.5, "parental") == pytest.approx(1.5)
    assert planted_log2fc("SYN0001", "Milademetan", 0.05, "parental") == pytest.approx(1.1)
    assert planted_log2fc("SYN0001", "Nutlin-3a", 0.5, "parental") == 0.0
    assert planted_log2fc("BAX", "Milademetan", 0.5, "parental") == 0.0
    assert planted_log2fc("CDKN1A", "DMSO", 0.0, "parental") == 0.0
    assert planted_log2fc("CDKN1A", "DMSO", 0.0, "parental", "6h") == 0.0
    assert planted_log2fc("ABCB1", "DMSO", 0.0, "MilciclibR") == 4.0
    assert planted_log2fc("RB1", "DMSO", 0.0, "MilciclibR") == -2.0
    assert planted_log2fc("ABCG2", "DMSO", 0.0, "MilciclibR") == 0.0


def test_fewer_genes_respond_and_less_at_6h():
    assert top_log2fc("CDKN1A", "Milademetan", "6h") == pytest.approx(0.8 * 3.5)
    assert top_log2fc("GDF15", "Milademetan", "6h") == pytest.approx(0.3 * 3.0)
    assert top_log2fc("SYN0001", "Milademetan", "24h") == 2.2
    assert top_log2fc("SYN0001", "Milademetan", "6h") == 0.0
    assert planted_log2fc("MDM2", "Milademetan", 0.05, "parental", "6h") == pytest.approx(1.2)
    for gene in P53_TARGET_MAX_LOG2FC:
        early, late = (top_log2fc(gene, "Milademetan", time) for time in ("6h", "24h"))
        assert 0 < early < late
    responding = {
        time: {g for g in PLANTED_GENES if top_log2fc(g, "Milademetan", time) != 0}
        for time in ("6h", "24h")
    }
    assert responding["6h"] < responding["24h"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: planted_log2fc("CDKN1A", "DMSO", 0.0, "KO"), "genotype 'KO'"),
        (lambda: planted_log2fc("CDKN1A", "Milademetan", 0.1, "parental", "48h"), "time '48h'"),
        (lambda: top_log2fc("CDKN1A", "DMSO"), "drug 'DMSO'"),
    ],
)
def test_bad_genotype_time_or_drug_raise(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_concentration_at_inverts_the_hill_curve():
    for drug in DRUGS:
        c = concentration_at(0.5, "CDKN1A", drug)
        assert planted_log2fc("CDKN1A", drug, c, "parental") == pytest.approx(0.5)
    c = concentration_at(0.5, "SYN0002", "Milademetan")  # a falling gene: |log2FC|
    assert planted_log2fc("SYN0002", "Milademetan", c, "parental") == pytest.approx(-0.5)
    assert math.isnan(concentration_at(0.5, "BAX", "Nutlin-3a"))
    assert math.isnan(concentration_at(0.5, "SYN0001", "Milademetan", "6h"))


def test_potency_order_for_cdkn1a_at_one_dose():
    values = {drug: planted_log2fc("CDKN1A", drug, 0.5, "parental") for drug in DRUGS}
    assert values["Milademetan"] > values["AMG-232"] > values["Nutlin-3a"] > 0


def test_planted_gene_sets():
    assert len(P53_TARGET_MAX_LOG2FC) == 15
    assert all(len(genes) == 3 for genes in DRUG_SPECIFIC_MAX_LOG2FC.values())
    assert {"ABCB1", "CCNE1", "RB1", "CDKN1A", "SYN0009"} <= PLANTED_GENES
    assert "ABCG2" not in PLANTED_GENES


def test_true_log2fc_of_demo_contrasts():
    samples = demo_design(2, 3)
    by_name = {c.name: c for c in DEMO_CONTRASTS}
    top = by_name["SJSA-1_Milademetan_0.5_24h_vs_DMSO"]
    assert true_log2fc("CDKN1A", top, samples) == pytest.approx(3.5 / (1 + 10**-1.5))
    nutlin = by_name["SJSA-1_Nutlin-3a_0.5_24h_vs_DMSO"]
    assert true_log2fc("CDKN1A", nutlin, samples) == pytest.approx(1.75, rel=1e-12)
    amg = by_name["SJSA-1_AMG-232_0.1_24h_vs_DMSO"]
    assert true_log2fc("SYN0005", amg, samples) == pytest.approx(-1.2, rel=1e-12)
    early = by_name["SJSA-1_Milademetan_0.05_6h_vs_DMSO"]
    assert true_log2fc("CDKN1A", early, samples) == pytest.approx(1.4)
    assert true_log2fc("SYN0001", early, samples) == 0.0
    resistance = by_name["A2780_MilciclibR_vs_parental"]
    assert true_log2fc("CDKN1A", resistance, samples) == 0.0
    assert true_log2fc("CCNE1", resistance, samples) == 2.0
    assert true_log2fc("GAPDH", top, samples) == 0.0


def test_true_log2fc_rejects_an_empty_group():
    group = Group("SJSA-1", "parental", "X", 1.0, "24h")
    contrast = Contrast("SJSA-1_X_1_24h_vs_DMSO", group, DEMO_CONTRASTS[0].reference)
    with pytest.raises(ValueError, match="group 'SJSA-1_X_1uM_24h'"):
        true_log2fc("CDKN1A", contrast, demo_design(2, 2))


def test_viability_plates_keep_the_a2780_plates_and_add_sjsa1():
    from drugsig.simulate.viability import (
        demo_viability_plates,
        mdm2_inhibitor_lines,
        simulate_viability_plates,
    )

    def rngs():
        return [np.random.default_rng([5, number]) for number in range(4)]

    plates = demo_viability_plates(rngs())
    a2780 = simulate_viability_plates(rngs()[0])
    assert plates.iloc[: len(a2780)].equals(a2780)
    sjsa1 = plates.iloc[len(a2780) :]
    assert sjsa1["plate"].unique().tolist() == [4, 5, 6]
    assert set(sjsa1["cell_line"]) == {"SJSA-1", ""}  # blanks have no cell line
    lines = mdm2_inhibitor_lines()
    assert list(lines) == list(DRUGS)
    for drug, line in lines.items():
        assert line.ic50_um == pytest.approx(20 * EC50_UM[drug])
