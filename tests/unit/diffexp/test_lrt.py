"""Tests of the LRT and interaction helpers on small simulations (no R; < 20 s)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lrt_simulations import simulate_dose_batch, simulate_interaction
from pydeseq2.dds import DeseqDataSet
from scipy.stats import false_discovery_control, nbinom, spearmanr

from drugsig.diffexp.inference import VectorizedInference
from drugsig.diffexp.interaction import (
    contrast_vector,
    interaction_coefficient,
    interaction_design,
    interaction_wald,
    set_reference_levels,
)
from drugsig.diffexp.lrt import likelihood_ratio_test, nb_log_likelihood, pvalue_adjustment

INFERENCE = VectorizedInference(n_cpus=1)


def _fit(counts: pd.DataFrame, metadata: pd.DataFrame, design: str) -> DeseqDataSet:
    dds = DeseqDataSet(
        counts=counts, metadata=metadata, design=design, inference=INFERENCE, quiet=True
    )
    dds.deseq2()
    return dds


@pytest.fixture(scope="module")
def dose_fit() -> tuple[DeseqDataSet, np.ndarray]:
    counts, metadata, truth = simulate_dose_batch(n_genes=800, n_de=80, seed=3)
    return _fit(counts, metadata, "~batch + dose"), truth


@pytest.fixture(scope="module")
def null_fit() -> DeseqDataSet:
    counts, metadata, _ = simulate_dose_batch(
        n_genes=1500, n_de=0, n_reps=4, with_batch=False, seed=4
    )
    return _fit(counts, metadata, "~dose")


def test_lrt_recovers_planted_dose_genes(dose_fit: tuple[DeseqDataSet, np.ndarray]) -> None:
    dds, truth = dose_fit
    res = likelihood_ratio_test(dds, "~batch", INFERENCE)
    assert list(res.columns[:4]) == ["baseMean", "stat", "pvalue", "padj"]
    assert (res["df"] == 4).all()
    calls = (res["padj"] < 0.05).to_numpy()
    assert (calls & truth).sum() / truth.sum() > 0.6
    assert (calls & ~truth).sum() / max(calls.sum(), 1) < 0.25
    # responders have much larger statistics than non-responders
    assert res["stat"][truth].median() > 5 * res["stat"][~truth].median()


def test_null_calibration(null_fit: DeseqDataSet) -> None:
    res = likelihood_ratio_test(null_fit, "~1", INFERENCE)
    tested = res["pvalue"].notna()
    assert (res["padj"] < 0.05).mean() <= 0.05
    frac = (res.loc[tested, "pvalue"] < 0.05).mean()
    assert 0.02 < frac < 0.10  # DESeq2's LRT is slightly liberal at n = 20


def test_lrt_matches_wald_squared_for_one_coefficient() -> None:
    counts, metadata, _ = simulate_interaction(n_genes=600, n_interaction=60, seed=5)
    dds = _fit(counts, metadata, "~genotype + treatment + genotype:treatment")
    lrt = likelihood_ratio_test(dds, "~genotype + treatment", INFERENCE)
    wald = interaction_wald(
        dds, ("genotype", "resistant"), ("treatment", "drug"), inference=INFERENCE
    )
    keep = (lrt["baseMean"] > 20) & lrt["stat"].notna() & wald["stat"].notna()
    assert (lrt["df"] == 1).all()
    rho = spearmanr(lrt.loc[keep, "stat"], wald.loc[keep, "stat"] ** 2).statistic
    assert rho > 0.99
    ratio = lrt.loc[keep, "stat"] / wald.loc[keep, "stat"] ** 2
    assert 0.9 < ratio.median() < 1.1


def test_log_likelihood_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    y = rng.poisson(5.0, (6, 4))
    mu = rng.uniform(0.5, 20.0, (6, 4))
    alpha = np.array([1e-6, 0.05, 0.5, 3.0])
    expected = nbinom.logpmf(y, 1 / alpha, 1 / (1 + alpha * mu)).sum(axis=0)
    np.testing.assert_allclose(nb_log_likelihood(y, mu, alpha), expected, rtol=1e-9)


def test_intercept_only_reduced_uses_mean_normalized_count(null_fit: DeseqDataSet) -> None:
    res = likelihood_ratio_test(null_fit, "~1", INFERENCE)
    dds = null_fit
    gene = dds.var_names[np.argmax(dds.var["_normed_means"].to_numpy())]
    j = list(dds.var_names).index(gene)
    y = dds.X[:, j].astype(float)
    sf = dds.obs["size_factors"].to_numpy()
    alpha = np.array([dds.var["dispersions"].iloc[j]])
    mu0 = (sf * (y / sf).mean())[:, None]
    full = dds.obsm["design_matrix"].to_numpy(float)
    beta, *_ = INFERENCE.irls(y[:, None], sf, full, alpha, 0.5, 1e-8)
    mu1 = sf[:, None] * np.exp(full @ np.asarray(beta).T)
    stat = (
        2
        * (nb_log_likelihood(y[:, None], mu1, alpha) - nb_log_likelihood(y[:, None], mu0, alpha))[0]
    )
    assert res.loc[gene, "stat"] == pytest.approx(stat, rel=1e-6)


def test_pvalue_adjustment_without_filtering_is_bh() -> None:
    rng = np.random.default_rng(1)
    p = rng.uniform(size=300) ** 2
    p[:5] = np.nan
    padj, _ = pvalue_adjustment(p, rng.uniform(size=300), independent_filter=False)
    expected = np.full(300, np.nan)
    expected[5:] = false_discovery_control(p[5:])
    np.testing.assert_allclose(padj, expected)


def test_independent_filtering_removes_low_counts() -> None:
    rng = np.random.default_rng(2)
    base = np.exp(rng.uniform(0, 8, 2000))
    p = np.where(base > 50, rng.uniform(size=2000) ** 6, rng.uniform(size=2000))
    padj, threshold = pvalue_adjustment(p, base, alpha=0.1)
    assert threshold > 0
    assert np.isnan(padj[base < threshold]).all()


def test_reduced_must_be_nested(dose_fit: tuple[DeseqDataSet, np.ndarray]) -> None:
    dds, _ = dose_fit
    bad = np.random.default_rng(0).normal(size=(dds.n_obs, 2))
    with pytest.raises(ValueError, match="nested"):
        likelihood_ratio_test(dds, bad, INFERENCE)


def test_interaction_naming_and_contrasts() -> None:
    metadata = pd.DataFrame(
        {"genotype": ["res", "par"] * 4, "treatment": ["drug", "drug", "DMSO", "DMSO"] * 2},
        index=[f"s{i}" for i in range(8)],
    )
    metadata = set_reference_levels(metadata, {"genotype": "par", "treatment": "DMSO"})
    counts = pd.DataFrame(
        np.ones((8, 3), dtype=int) * 10, index=metadata.index, columns=["a", "b", "c"]
    )
    design = interaction_design("genotype", "treatment")
    assert design == "~genotype + treatment + genotype:treatment"
    dds = DeseqDataSet(counts=counts, metadata=metadata, design=design, quiet=True)
    assert list(dds.obsm["design_matrix"].columns) == [
        "Intercept",
        "genotype[T.res]",
        "treatment[T.drug]",
        "genotype[T.res]:treatment[T.drug]",
    ]
    coef = interaction_coefficient(dds, ("treatment", "drug"), ("genotype", "res"))
    assert coef == "genotype[T.res]:treatment[T.drug]"
    np.testing.assert_array_equal(
        contrast_vector(dds, {"treatment[T.drug]": 1, coef: 1}), [0.0, 0.0, 1.0, 1.0]
    )
    with pytest.raises(KeyError):
        interaction_coefficient(dds, ("genotype", "par"), ("treatment", "drug"))
