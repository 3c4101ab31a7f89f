"""R DESeq2 parity (``drugsig.diffexp.r_parity``, ``diffexp.r_parity``) against R's own output.

The reference values come from R 4.x with DESeq2 1.38.3:

* ``set.seed(2); runif(3); rnorm(3); rchisq(3, 2); rchisq(3, 1); rchisq(3, 3)``;
* ``lowess(X, Y)`` and ``lowess(X, Y, f = 1/5)`` on the vectors below;
* ``DESeq2:::pvalueAdjustment`` on the p-values / means of :func:`filter_case`;
* ``data/r_parity_paired.tsv.gz``: a paired simulation (``simulate_paired(3, 1.0, 2000,
  seed=7)`` of ``benchmarks/paired_vs_r.py``, genes with >= 10 reads) with R's
  ``results(dds, name = "treatment_treated_vs_untreated", alpha = 0.1)`` (log2 fold
  changes, padj) and ``mcols(dds)`` (``dispGeneEst``, ``dispFit``) after
  ``DESeq(~ donor + treatment)``, and R's ``dispPriorVar`` (``R_PRIOR_VAR``), as the
  script's R code writes them.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydeseq2.preprocessing import deseq2_norm
from pydeseq2.utils import lowess as pydeseq2_lowess
from pydeseq2.utils import mean_absolute_deviation
from scipy.special import polygamma
from scipy.stats import spearmanr
from unit_shared import diffexp_config

from drugsig.diffexp.deseq import differential_expression
from drugsig.diffexp.inference import VectorizedInference
from drugsig.diffexp.r_parity import RParityDeseqDataSet, dataset
from drugsig.diffexp.r_parity.filtering import r_independent_filtering
from drugsig.diffexp.r_parity.prior_variance import r_dispersion_prior_var
from drugsig.diffexp.r_parity.rng import RRandom
from drugsig.diffexp.r_parity.smoothers import r_lowess
from drugsig.diffexp.r_parity.trend import r_parametric_dispersion_fit
from drugsig.inputs.design import build_contrasts

PAIRED = Path(__file__).parent / "data" / "r_parity_paired.tsv.gz"
R_PRIOR_VAR = 0.44044044044044045
ALPHA = 0.1

X = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 16, 18, 20, 25.0])
Y = np.array(
    [2.1, 3.9, 6.2, 7.8, 10.5, 11.9, 14.2, 30.0, 18.1, 19.7,
     22.4, 23.8, 26.1, 27.9, 30.2, 29.5, 32.4, 35.8, 40.1, 49.0]
)  # fmt: skip


@pytest.fixture(scope="module")
def paired() -> pd.DataFrame:
    return pd.read_csv(PAIRED, sep="\t", index_col=0, float_precision="round_trip")


def test_rng_replays_r_streams():
    rng = RRandom(2)
    draws = [rng.runif(3), rng.rnorm(3), rng.rchisq(3, 2), rng.rchisq(3, 1), rng.rchisq(3, 3)]
    r = [
        [0.18488225992769003, 0.70237403595820069, 0.57332633482292295],
        [-0.96189203331283324, 1.5846314881085821, 0.96788387514729224],
        [1.1855441251226946, 0.24805533528941973, 0.689743374738092],
        [0.14296673177676802, 0.42105965985096738, 0.063499527375889056],
        [1.9441059524222146, 7.152627954098441, 12.432758255214841],
    ]
    for ours, theirs in zip(draws, r, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


def test_rnorm_with_zero_sd_draws_nothing():
    """Like R, so that the prior-variance simulation at variance 0 keeps R's stream."""
    rng = RRandom(2)
    np.testing.assert_allclose(rng.rnorm(5, 1.5, 0.0), 1.5, rtol=0, atol=1e-15)  # sd 0: the mean
    np.testing.assert_allclose(rng.runif(1), [0.18488225992769003], rtol=1e-12, atol=0)


def test_lowess_matches_r():
    r_default = [
        2.049367592289745, 4.056031710145823, 6.0610535733304243, 8.0643742112048091,
        10.066015841124829, 12.067831127229109, 14.071289477227094, 16.063225984267984,
        18.051788277806644, 20.030443600363693, 22.011644785286933, 24.000681216109189,
        26.003986341625559, 27.99975838809809, 29.996853918198731, 29.996853918198731,
        31.998346219076339, 35.881837960059414, 39.677381050091682, 49.251860891116642,
    ]  # fmt: skip
    r_fifth = [
        2.0426395225782068, 4.0430428065061133, 6.0038954812062242, 8.1127205612446414,
        10.090029677664436, 11.899999999999999, 20.949999999999999, 30.0,
        24.850000000000001, 19.699999999999996, 21.981865812687882, 24.04822734262121,
        25.958504097555156, 27.899999999999999, 29.850000000000001, 29.850000000000001,
        32.400000000000027, 35.992575972052933, 40.039016754663912, 49.027222806024724,
    ]  # fmt: skip
    np.testing.assert_allclose(r_lowess(X, Y), r_default, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r_lowess(X, Y, f=1 / 5), r_fifth, rtol=1e-12, atol=1e-12)
    # like R's, the fit is returned in the order of the sorted x
    shuffled = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(r_lowess(X[shuffled], Y[shuffled]), r_default, rtol=1e-12)
    # pydeseq2's smoother is another one: the reason for the port
    assert np.abs(pydeseq2_lowess(X, Y, frac=1 / 5) - r_fifth).max() > 1.0


def filter_case() -> tuple[np.ndarray, np.ndarray]:
    """500 genes whose low means carry no signal (the same formulas in the R script)."""
    i = np.arange(1, 501)
    base_mean = 10 ** (((i * 47) % 500) / 125)
    u = ((i * 61) % 499 + 0.5) / 499
    pvalues = u ** (0.3 + np.log10(base_mean) ** 2 / 3)
    pvalues[i % 97 == 0] = np.nan
    base_mean[i % 50 == 0] = 0
    pvalues[i % 50 == 0] = np.nan
    return base_mean, pvalues


def test_independent_filtering_matches_r():
    """R's threshold; with pydeseq2's lowess the same recipe picks 24.9 (theta 0.362)."""
    result = r_independent_filtering(*filter_case(), alpha=ALPHA)
    assert result.threshold == pytest.approx(29.608004284871843, rel=1e-12)
    assert result.theta == pytest.approx(0.3806122448979592, rel=1e-12)
    padj = result.padj
    assert np.sum(~np.isnan(padj)) == 308
    assert np.sum(padj < ALPHA) == 89
    assert np.nansum(padj) == pytest.approx(118.35310483048467, rel=1e-12)
    assert np.isnan(padj[[0, 1, 2, 10, 11]]).all()
    np.testing.assert_allclose(
        padj[[3, 81, 163]],
        [0.6441545903310969, 0.00041078504562439276, 0.091936922213336408],
        rtol=1e-12,
    )


def test_prior_variance_matches_r_with_two_residual_df(paired):
    """R simulates for (m - p) <= 3; the MAD-minus-trigamma formula would be far off."""
    use = paired["R_dispGeneEst"] >= 1e-6
    residuals = np.log(paired.loc[use, "R_dispGeneEst"] / paired.loc[use, "R_dispFit"])
    var_log = float(mean_absolute_deviation(residuals.to_numpy()) ** 2)
    prior = r_dispersion_prior_var(residuals.to_numpy(), 6, 4, var_log)
    assert prior == pytest.approx(R_PRIOR_VAR, abs=1e-12)
    assert abs(max(var_log - polygamma(1, 1.0), 0.25) - R_PRIOR_VAR) > 0.05


def test_prior_variance_above_three_residual_df_is_the_trigamma_formula():
    assert r_dispersion_prior_var(np.zeros(3), 10, 4, 2.0) == pytest.approx(
        2.0 - polygamma(1, 3.0), rel=1e-15
    )
    assert r_dispersion_prior_var(np.zeros(3), 10, 4, 0.3) == pytest.approx(0.25, abs=1e-15)


def test_parametric_trend_matches_r(paired):
    counts = paired.filter(regex="^D").to_numpy()
    means = deseq2_norm(counts.T)[0].mean(axis=0)
    coefs = r_parametric_dispersion_fit(means, paired["R_dispGeneEst"].to_numpy(), 1e-8)
    np.testing.assert_allclose(coefs[0] + coefs[1] / means, paired["R_dispFit"], rtol=1e-6)


def fit_paired(table: pd.DataFrame, r_parity: bool) -> pd.DataFrame:
    names = [column for column in table.columns if column.startswith("D")]
    sheet = pd.DataFrame(
        {
            "sample": names,
            "condition": [name.split("_")[1] for name in names],
            "donor": [name.split("_")[0] for name in names],
        },
        index=names,
        dtype=object,
    )
    counts = table[names].rename_axis("gene_id").reset_index()
    counts.insert(1, "gene_name", counts["gene_id"])
    cfg = diffexp_config(
        vehicle="untreated", covariates=["donor"], min_count=0, alpha=ALPHA, r_parity=r_parity
    )
    result = differential_expression(counts, sheet, build_contrasts(sheet, cfg), cfg)
    (fitted,) = result.tables.values()
    return fitted.set_index("gene_id").loc[table.index]


def jaccard(a: pd.Series, b: pd.Series) -> float:
    calls_a, calls_b = set(a.index[a < ALPHA]), set(b.index[b < ALPHA])
    return len(calls_a & calls_b) / len(calls_a | calls_b)


def test_paired_design_agrees_with_r_and_recovers_planted_effects(paired):
    """3 donors (2 residual df), dispersion scatter SD 1: pydeseq2's rules give ~0.94."""
    ours = fit_paired(paired, r_parity=True)
    assert jaccard(ours["padj"], paired["R_padj"]) >= 0.97
    # pydeseq2 0.99997 (its fitted means are not floored at min_mu in the dispersion fits)
    assert spearmanr(ours["log2FoldChange"], paired["R_log2FoldChange"])[0] >= 0.99999
    truth = paired["true_log2fc"]
    strong = (truth.abs() >= 2) & (ours["baseMean"] >= 50)
    assert strong.sum() >= 10
    assert (ours.loc[strong, "padj"] < ALPHA).mean() >= 0.8
    called = (ours["padj"] < ALPHA) & (truth != 0)
    assert (np.sign(ours.loc[called, "log2FoldChange"]) == np.sign(truth[called])).all()
    planted = (truth != 0) & (ours["baseMean"] >= 50)
    assert spearmanr(ours.loc[planted, "log2FoldChange"], truth[planted])[0] >= 0.85


def test_genes_refitted_after_cooks_replacement_use_r_rules(monkeypatch):
    """pydeseq2 refits them with a plain DeseqDataSet; here the R rules apply to them too."""
    sizes = {"genewise": [], "map": []}

    def spy(key, function):
        def wrapped(counts, *args):
            sizes[key].append(counts.shape[1])
            return function(counts, *args)

        return wrapped

    monkeypatch.setattr(
        dataset, "r_genewise_dispersions", spy("genewise", dataset.r_genewise_dispersions)
    )
    monkeypatch.setattr(dataset, "r_map_dispersions", spy("map", dataset.r_map_dispersions))
    rng = np.random.default_rng(3)
    mean = np.exp(rng.uniform(np.log(20), np.log(2000), 300))
    dispersion = 0.05 + 2 / mean
    counts = rng.negative_binomial(1 / dispersion, 1 / (1 + mean * dispersion), (14, 300))
    counts[0, :5] = 5000  # one outlier in each of 5 genes; 7 replicates make it replaceable
    samples = [f"S{i:02d}" for i in range(14)]
    dds = RParityDeseqDataSet(
        counts=pd.DataFrame(counts, index=samples, columns=[f"G{i:03d}" for i in range(300)]),
        metadata=pd.DataFrame({"group": ["a"] * 7 + ["b"] * 7}, index=samples),
        design="~group",
        inference=VectorizedInference(n_cpus=1),
        quiet=True,
    )
    dds.deseq2()
    refitted = int(dds.var["refitted"].sum())
    assert refitted >= 5
    assert sizes == {"genewise": [300, refitted], "map": [300, refitted]}
    assert np.isfinite(dds.var["dispersions"]).all()


def test_one_factor_cox_reid_term_equals_the_dense_one():
    """Screens: the per-group Cox-Reid shortcut gives the dense p x p log posterior."""
    from drugsig.diffexp.r_parity.dispersions import _Posterior

    rng = np.random.default_rng(3)
    group = np.repeat(np.arange(6), [4, 3, 3, 3, 2, 3])  # reference + 5 compounds
    design = np.column_stack([np.ones(group.size), np.eye(6)[group][:, 1:]])
    mu = rng.gamma(2.0, 50.0, size=(group.size, 40)) + 0.1
    counts = rng.poisson(mu).astype(float)
    prior = np.log(rng.uniform(0.02, 0.5, size=40))
    log_alpha = np.log(rng.uniform(0.01, 2.0, size=40))
    fast = _Posterior.of_design(counts, mu, design, prior, 0.6)
    dense = _Posterior(counts, mu, design, prior, 0.6)
    assert fast.groups is not None and dense.groups is None
    np.testing.assert_allclose(fast.value(log_alpha), dense.value(log_alpha), rtol=1e-10)
    np.testing.assert_allclose(fast.gradient(log_alpha), dense.gradient(log_alpha), rtol=1e-8)
    with_covariate = np.column_stack([design, rng.normal(size=group.size)])
    assert _Posterior.of_design(counts, mu, with_covariate, prior, 0.6).groups is None
