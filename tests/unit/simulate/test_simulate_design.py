"""Demo design and planted effects of the simulator (drugsig.simulate.design / effects)."""

import re

import pytest

from drugsig.errors import InputError
from drugsig.simulate.design import DEMO_CONTRASTS, Contrast, demo_design
from drugsig.simulate.effects import (
    DRUG_SPECIFIC_MAX_LOG2FC,
    P53_TARGET_MAX_LOG2FC,
    PLANTED_GENES,
    hill_fraction,
    planted_log2fc,
    true_log2fc,
)


def test_demo_design_has_18_samples_in_six_groups():
    samples = demo_design(3)
    assert [s.name for s in samples[:4]] == [
        "SJSA-1_DMSO_1",
        "SJSA-1_DMSO_2",
        "SJSA-1_DMSO_3",
        "SJSA-1_Milademetan_1",
    ]
    assert [s.name for s in samples[-3:]] == [
        "A2780_MilciclibR_1",
        "A2780_MilciclibR_2",
        "A2780_MilciclibR_3",
    ]
    assert len({s.name for s in samples}) == 18
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", s.name) for s in samples)
    doses = {(s.cell_line, s.condition, s.genotype): s.dose_um for s in samples}
    assert doses == {
        ("SJSA-1", "DMSO", "parental"): 0.0,
        ("SJSA-1", "Milademetan", "parental"): 0.5,
        ("SJSA-1", "Nutlin-3a", "parental"): 0.5,
        ("SJSA-1", "AMG-232", "parental"): 0.5,
        ("A2780", "DMSO", "parental"): 0.0,
        ("A2780", "DMSO", "MilciclibR"): 0.0,
    }
    assert {(s.replicate, s.batch) for s in samples} == {(1, "b1"), (2, "b2"), (3, "b3")}
    assert {s.time for s in samples} == {"24h"}


def test_contrast_names_and_members():
    assert [c.name for c in DEMO_CONTRASTS] == [
        "SJSA-1_Milademetan_vs_DMSO",
        "SJSA-1_Nutlin-3a_vs_DMSO",
        "SJSA-1_AMG-232_vs_DMSO",
        "A2780_MilciclibR_vs_parental",
    ]
    samples = demo_design(2)
    resistance = DEMO_CONTRASTS[-1]
    assert [s.name for s in resistance.members(samples, "parental")] == [
        "A2780_parental_1",
        "A2780_parental_2",
    ]


def test_hill_fraction_follows_ec50():
    assert hill_fraction("DMSO", 0.0) == 0.0
    assert hill_fraction("Milademetan", 0.05) == pytest.approx(0.5)
    assert hill_fraction("Nutlin-3a", 0.5) == pytest.approx(0.5)
    assert hill_fraction("AMG-232", 0.5) == pytest.approx(0.5 / 0.6)
    # Milademetan is 10x as potent: it needs a tenth of the Nutlin-3a dose.
    assert hill_fraction("Milademetan", 0.1) == pytest.approx(hill_fraction("Nutlin-3a", 1.0))


@pytest.mark.parametrize(
    ("condition", "dose", "message"),
    [
        ("Milciclib", 0.5, "no planted response for condition 'Milciclib'"),
        ("AMG-232", -1.0, "dose"),
    ],
)
def test_hill_fraction_rejects_bad_input(condition, dose, message):
    with pytest.raises(InputError, match=message):
        hill_fraction(condition, dose)


def test_planted_log2fc_exact_values():
    assert planted_log2fc("CDKN1A", "Milademetan", 0.5, "parental") == pytest.approx(3.5 / 1.1)
    assert planted_log2fc("MDM2", "Nutlin-3a", 0.5, "parental") == pytest.approx(1.5)
    assert planted_log2fc("SYN0001", "Milademetan", 0.5, "parental") == pytest.approx(2.0)
    assert planted_log2fc("SYN0001", "Nutlin-3a", 0.5, "parental") == 0.0
    assert planted_log2fc("BAX", "Milademetan", 0.5, "parental") == 0.0
    assert planted_log2fc("CDKN1A", "DMSO", 0.0, "parental") == 0.0
    assert planted_log2fc("ABCB1", "DMSO", 0.0, "MilciclibR") == 4.0
    assert planted_log2fc("RB1", "DMSO", 0.0, "MilciclibR") == -2.0
    assert planted_log2fc("ABCG2", "DMSO", 0.0, "MilciclibR") == 0.0


def test_planted_log2fc_rejects_unknown_genotype():
    with pytest.raises(InputError, match="genotype 'KO'"):
        planted_log2fc("CDKN1A", "DMSO", 0.0, "KO")


def test_potency_order_for_cdkn1a():
    values = {
        drug: planted_log2fc("CDKN1A", drug, 0.5, "parental") for drug in DRUG_SPECIFIC_MAX_LOG2FC
    }
    assert values["Milademetan"] > values["AMG-232"] > values["Nutlin-3a"] > 0


def test_planted_gene_sets():
    assert len(P53_TARGET_MAX_LOG2FC) == 15
    assert all(len(genes) == 3 for genes in DRUG_SPECIFIC_MAX_LOG2FC.values())
    assert {"ABCB1", "CCNE1", "RB1", "CDKN1A", "SYN0009"} <= PLANTED_GENES
    assert "ABCG2" not in PLANTED_GENES


def test_true_log2fc_of_demo_contrasts():
    samples = demo_design(3)
    milademetan, nutlin, amg, resistance = DEMO_CONTRASTS
    assert true_log2fc("CDKN1A", milademetan, samples) == pytest.approx(3.5 * 0.5 / 0.55)
    assert true_log2fc("CDKN1A", nutlin, samples) == pytest.approx(1.75)
    assert true_log2fc("SYN0005", amg, samples) == pytest.approx(-2.0)
    assert true_log2fc("CDKN1A", resistance, samples) == 0.0
    assert true_log2fc("CCNE1", resistance, samples) == 2.0
    assert true_log2fc("GAPDH", nutlin, samples) == 0.0


def test_true_log2fc_rejects_an_empty_group():
    contrast = Contrast("SJSA-1_X_vs_DMSO", "SJSA-1", "condition", "X", "DMSO")
    with pytest.raises(ValueError, match="group 'X'"):
        true_log2fc("CDKN1A", contrast, demo_design(2))
