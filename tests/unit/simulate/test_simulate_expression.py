"""Expression model of the simulator: library sizes, composition, noise, isoforms."""

import numpy as np
import pytest

from drugsig.simulate.annotation import simulate_annotation
from drugsig.simulate.catalog import gene_catalog
from drugsig.simulate.design import demo_design
from drugsig.simulate.effects import planted_log2fc
from drugsig.simulate.expression import (
    baseline_abundance,
    de_count_matrix,
    dispersion,
    expected_fragments,
    isoform_shares,
    negative_binomial_counts,
    size_factors,
    split_by_transcript,
)


@pytest.fixture(scope="module")
def genes() -> list[str]:
    return [identity.name for identity in gene_catalog(120, np.random.default_rng(0))]


def test_size_factors_spread_evenly_with_mean_one():
    factors = size_factors(9, np.random.default_rng(1))
    assert sorted(factors) == pytest.approx([0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4])
    assert factors.tolist() != sorted(factors.tolist())


def test_dispersion_trend():
    assert dispersion(np.array([10.0, 500.0])) == pytest.approx([0.07, 0.021])


def test_negative_binomial_mean_and_variance():
    counts = negative_binomial_counts(np.full(200_000, 100.0), np.random.default_rng(2))
    assert counts.mean() == pytest.approx(100.0, rel=0.01)
    assert counts.var() == pytest.approx(100.0 + 0.025 * 100.0**2, rel=0.05)


def test_housekeeping_and_planted_genes_are_well_expressed(genes):
    abundance = dict(zip(genes, baseline_abundance(genes, np.random.default_rng(3)), strict=True))
    median = np.median(list(abundance.values()))
    assert min(abundance[g] for g in ("GAPDH", "ACTB", "B2M")) > 5 * median
    assert np.median([abundance[g] for g in ("CDKN1A", "MDM2", "ABCB1", "RB1", "SYN0001")]) > median


def test_expected_fragments_carry_the_planted_effects(genes):
    samples = demo_design(2, 2)
    means = expected_fragments(genes, samples, 10_000, np.random.default_rng(4))
    names = [s.name for s in samples]
    assert sorted(means.sum(axis=1)) == pytest.approx(10_000 * np.linspace(0.6, 1.4, 48))

    def ratio(gene: str, treated: str, reference: str) -> float:
        column = genes.index(gene)
        row, ref = names.index(treated), names.index(reference)
        null = genes.index("GAPDH")  # normalise like DESeq2: by a gene without effect
        return (means[row, column] / means[ref, column]) / (means[row, null] / means[ref, null])

    expected = planted_log2fc("CDKN1A", "Milademetan", 0.16, "parental")
    observed = ratio("CDKN1A", "SJSA-1_Milademetan_0p16uM_24h_1", "SJSA-1_DMSO_24h_2")
    assert np.log2(observed) == pytest.approx(expected)
    early = planted_log2fc("CDKN1A", "Milademetan", 0.16, "parental", "6h")
    observed = ratio("CDKN1A", "SJSA-1_Milademetan_0p16uM_6h_2", "SJSA-1_DMSO_6h_1")
    assert np.log2(observed) == pytest.approx(early)
    assert 0 < early < expected
    assert np.log2(ratio("ABCB1", "A2780_MilciclibR_2", "A2780_parental_1")) == pytest.approx(4.0)
    assert np.log2(ratio("BAX", "SJSA-1_Nutlin-3a_5uM_24h_1", "SJSA-1_DMSO_24h_1")) == (
        pytest.approx(0.0)
    )


def test_isoform_split_keeps_gene_totals():
    rng = np.random.default_rng(5)
    annotation = simulate_annotation(gene_catalog(80, rng), rng)
    shares = isoform_shares(annotation, rng)
    gene_index = np.array([g for g, gene in enumerate(annotation.genes) for _ in gene.transcripts])
    single = np.bincount(gene_index)[gene_index] == 1
    assert (shares[single] == 1.0).all()
    assert ((shares[~single] > 0.1) & (shares[~single] < 0.9)).all()
    gene_counts = rng.integers(0, 10_000, size=len(annotation.genes))
    counts = split_by_transcript(gene_counts, gene_index, shares, rng)
    assert np.bincount(gene_index, weights=counts).astype(int).tolist() == gene_counts.tolist()
    first = np.flatnonzero(~single)[::2]
    observed = counts[first] / gene_counts[gene_index[first]]
    assert observed == pytest.approx(shares[first], abs=0.05)


def shifted_fraction(counts, condition, other):
    """Share of well-expressed genes whose mean moves > 0.5 log2 from condition 0."""
    expressed = counts.mean(axis=0) > 50
    reference = counts[condition == 0][:, expressed].mean(axis=0)
    changed = counts[condition == other][:, expressed].mean(axis=0)
    return (np.abs(np.log2(changed / reference)) > 0.5).mean()


def test_de_count_matrix_groups_samples_and_plants_changes_in_other_conditions_only():
    counts, condition = de_count_matrix(3, 40, 2000, np.random.default_rng(3), de_fraction=0.5)
    again, _ = de_count_matrix(3, 40, 2000, np.random.default_rng(3), de_fraction=0.5)
    assert counts.shape == (120, 2000) and (counts == again).all()
    assert condition.tolist() == [0] * 40 + [1] * 40 + [2] * 40
    # half the genes changed, 74% of those by more than 0.5 (|N(0, 1.5)| > 0.5): 0.37
    assert 0.3 < shifted_fraction(counts, condition, 1) < 0.45
    assert 0.3 < shifted_fraction(counts, condition, 2) < 0.45
    null, group = de_count_matrix(2, 40, 2000, np.random.default_rng(3), de_fraction=0.0)
    assert shifted_fraction(null, group, 1) < 0.01
