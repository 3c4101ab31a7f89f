import warnings

import numpy as np
import pandas as pd
import pytest
from pydeseq2.dds import DeseqDataSet
from pydeseq2.default_inference import DefaultInference
from pydeseq2.ds import DeseqStats
from pydeseq2.grid_search import grid_fit_alpha
from pydeseq2.utils import nb_nll, nbinomFn
from scipy.special import digamma, gammaln, polygamma
from scipy.stats import spearmanr

from drugsig.diffexp.inference import (
    VectorizedInference,
    _DispersionObjective,
    _gamma_differences,
    _trigamma,
)
from drugsig.simulate.expression import de_count_matrix

CONDITIONS = ["DMSO", "drugA", "drugB", "drugC"]


def simulate(genes=300, replicates=4, seed=7):
    """NB counts with a DESeq2-like dispersion trend, DE genes, zeros and an outlier."""
    counts, group = de_count_matrix(
        len(CONDITIONS), replicates, genes, np.random.default_rng(seed),
        median_count=50, mean_log_sd=1.8, extra_poisson=1.5, de_fraction=0.2,
        log2fc_sd=2.0 / np.log(2), size_factor_log_sd=0.3,
    )  # fmt: skip
    condition = np.array(CONDITIONS)[group]
    counts[:, 0] = 0  # all-zero gene
    counts[3, 1] = 50 * counts[:, 1].max() + 500  # a Cook's outlier
    samples = [f"s{i}" for i in range(condition.size)]
    return (
        pd.DataFrame(counts, index=samples, columns=[f"g{i}" for i in range(genes)]),
        pd.DataFrame({"condition": condition}, index=samples),
    )


def fit(counts, metadata, inference):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # min_replicates=4: Cook's outliers are replaced and their genes refitted
        dds = DeseqDataSet(
            counts=counts, metadata=metadata, inference=inference, min_replicates=4, quiet=True
        )
        dds.deseq2()
        results = {}
        for drug in CONDITIONS[1:]:
            stats = DeseqStats(
                dds, contrast=["condition", drug, "DMSO"], inference=inference, quiet=True
            )
            stats.summary()
            results[drug] = stats.results_df
    return dds, results


@pytest.fixture(scope="module")
def fits():
    counts, metadata = simulate()
    default = fit(counts, metadata, DefaultInference(n_cpus=1))
    # small chunks and two threads, so that chunking and threading are exercised
    vectorized = fit(counts, metadata, VectorizedInference(n_cpus=2, chunk_size=64))
    return default, vectorized


def dispersion_loss(counts, design, mu, alpha, prior=None):
    """pydeseq2's dispersion objective (``fit_alpha_mle``'s closure), per gene."""
    w = mu / (1 + mu * alpha)
    value = nb_nll(counts, mu, alpha) + 0.5 * np.linalg.slogdet((design.T * w) @ design)[1]
    if prior is not None:
        log_alpha_hat, variance = prior
        value += (np.log(alpha) - log_alpha_hat) ** 2 / (2 * variance)
    return value


def test_trigamma_matches_scipy():
    x = np.concatenate([np.linspace(1e-3, 20, 2000), np.logspace(1, 9, 200)])
    np.testing.assert_allclose(_trigamma(x), polygamma(1, x), rtol=1e-10)


@pytest.mark.parametrize("r", [0.3, 7.0, 99.9, 100.0, 1e3, 1e5, 1e8])
def test_gamma_differences_are_exact_sums(r):
    # for integer y: lgamma(y + r) - lgamma(r) = sum_k log(r + k), digamma and
    # trigamma differences are sums of 1 / (r + k) and 1 / (r + k)^2, k < y
    y = np.array([0, 1, 2, 7, 40, 300])
    d0, d1, d2 = _gamma_differences(y[:, None].astype(float), np.array([r]))
    for i, count in enumerate(y):
        k = np.arange(count)
        # absolute rounding error: of the log-gamma values below r = 100, of y above
        rounding = 1e-15 * (1 + (gammaln(r + count) if r < 100 else count))
        assert d0[i, 0] == pytest.approx(np.log1p(k / r).sum(), rel=1e-9, abs=rounding)
        assert d1[i, 0] == pytest.approx((1 / (r + k)).sum(), rel=1e-9, abs=1e-300)
        assert d2[i, 0] == pytest.approx((1 / (r + k) ** 2).sum(), rel=1e-9, abs=1e-300)


def test_gamma_differences_match_special_functions_for_large_counts():
    y = np.array([[0.0], [1e3], [1e5], [3e6]])
    r = np.array([200.0])
    d0, d1, d2 = _gamma_differences(y, r)
    np.testing.assert_allclose(d0, gammaln(y + r) - gammaln(r) - y * np.log(r), rtol=1e-10)
    np.testing.assert_allclose(d1, digamma(y + r) - digamma(r), rtol=1e-10)
    np.testing.assert_allclose(d2, polygamma(1, r) - polygamma(1, y + r), rtol=1e-9)


@pytest.mark.parametrize("prior", [None, 0.4])
def test_dispersion_objective_is_pydeseq2s_up_to_a_constant_with_exact_derivatives(prior):
    rng = np.random.default_rng(0)
    design = np.column_stack([np.ones(12), np.repeat(np.eye(3), 4, axis=0)[:, 1:]])
    mu = rng.gamma(2, 40, size=(12, 5))
    counts = rng.negative_binomial(5, 5 / (5 + mu)).astype(float)
    log_alpha_hat = np.log(np.full(5, 0.1))
    objective = _DispersionObjective(counts, mu, design, log_alpha_hat, prior, True)
    genes = np.arange(5)
    for log_alpha in (-15.0, -4.0, -1.0, 2.0):
        x = np.full(5, log_alpha)
        value, _, gradient, hessian = objective(x, genes)
        reference = [
            dispersion_loss(
                counts[:, g],
                design,
                mu[:, g],
                np.exp(log_alpha),
                None if prior is None else (log_alpha_hat[g], prior),
            )
            for g in genes
        ]
        # pydeseq2's value carries a rounding error of ~ n * lgamma(1 / alpha) * eps
        rounding = 1e-15 * len(counts) * gammaln(np.exp(-log_alpha))
        np.testing.assert_allclose(value + objective.left_out, reference, rtol=1e-12, atol=rounding)
        step = 1e-5
        up, _, gradient_up, _ = objective(x + step, genes)
        down, _, gradient_down, _ = objective(x - step, genes)
        np.testing.assert_allclose(gradient, (up - down) / (2 * step), rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(
            hessian, (gradient_up - gradient_down) / (2 * step), rtol=1e-5, atol=1e-9
        )


def test_dispersions_match_default_inference(fits):
    (default, _), (vectorized, _) = fits
    design = default.obsm["design_matrix"].to_numpy()
    for column in ("genewise_dispersions", "MAP_dispersions", "dispersions"):
        ours, theirs = vectorized.var[column].to_numpy(), default.var[column].to_numpy()
        assert np.array_equal(np.isnan(ours), np.isnan(theirs))
        relative = np.abs(ours - theirs)[~np.isnan(ours)] / theirs[~np.isnan(ours)]
        assert np.median(relative) < 1e-5, column
        assert np.mean(relative < 1e-3) > 0.97, column
    # where they differ, ours is the better optimum of pydeseq2's own objective
    mu = default.layers["_mu_hat"]
    prior = default.uns["prior_disp_var"]
    for gene in np.flatnonzero(default.var["non_zero"].to_numpy()):
        ours, theirs = (
            vectorized.var["MAP_dispersions"].iloc[gene],
            default.var["MAP_dispersions"].iloc[gene],
        )
        log_trend = np.log(default.var["fitted_dispersions"].iloc[gene])
        loss = [
            dispersion_loss(default.X[:, gene], design, mu[:, gene], alpha, (log_trend, prior))
            for alpha in (ours, theirs)
        ]
        assert loss[0] <= loss[1] + 1e-6


def test_fold_changes_and_tests_match_default_inference(fits):
    (default, default_results), (vectorized, results) = fits
    np.testing.assert_allclose(
        vectorized.var["_normed_means"], default.var["_normed_means"], rtol=1e-12
    )
    lfc, default_lfc = vectorized.varm["LFC"].to_numpy(), default.varm["LFC"].to_numpy()
    close = np.isclose(lfc, default_lfc, rtol=1e-3, atol=1e-4) | np.isnan(default_lfc)
    assert close.mean() > 0.98
    for drug, table in results.items():
        reference = default_results[drug]
        both = table["log2FoldChange"].notna() & reference["log2FoldChange"].notna()
        assert both.sum() > 250
        rho = spearmanr(table.loc[both, "log2FoldChange"], reference.loc[both, "log2FoldChange"])
        assert rho[0] > 0.9999
        ours = set(table.index[table["padj"] < 0.05])
        theirs = set(reference.index[reference["padj"] < 0.05])
        assert len(theirs) > 20
        assert len(ours & theirs) / len(ours | theirs) >= 0.97
        np.testing.assert_allclose(table["baseMean"], reference["baseMean"], rtol=1e-12)


def test_outlier_is_refitted_like_default(fits):
    (default, _), (vectorized, _) = fits
    assert default.var["replaced"].iloc[1]
    assert vectorized.var["replaced"].equals(default.var["replaced"])
    assert vectorized.var["refitted"].equals(default.var["refitted"])


def test_irls_and_wald_test_are_the_default_computations(fits):
    (default, _), _ = fits
    counts = default.X[:, default.non_zero_idx]
    design = default.obsm["design_matrix"].to_numpy()
    size_factors = default.obs["size_factors"].to_numpy()
    disp = default.var.loc[default.var["non_zero"], "dispersions"].to_numpy()
    ours = VectorizedInference(n_cpus=1, chunk_size=50)
    theirs = DefaultInference(n_cpus=1)
    np.testing.assert_allclose(
        ours.lin_reg_mu(counts, size_factors, design, 0.5),
        theirs.lin_reg_mu(counts, size_factors, design, 0.5),
        rtol=1e-10,
    )
    # maxiter=2: every gene takes pydeseq2's L-BFGS-B fallback (slow: 20 genes)
    for genes, maxiter in ((slice(None), 250), (slice(20), 2)):
        args = (counts[:, genes], size_factors, design, disp[genes], 0.5, 1e-8)
        fitted = ours.irls(*args, maxiter=maxiter)
        expected = theirs.irls(*args, maxiter=maxiter)
        for a, b in zip(fitted, expected, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
    beta, mu, _, _ = theirs.irls(counts, size_factors, design, disp, 0.5, 1e-8)
    ridge = np.diag(np.repeat(1e-6, design.shape[1]))
    contrast = np.array([0.0, 1.0, -1.0, 0.0])
    for alternative in (None, "greaterAbs", "lessAbs", "greater", "less"):
        np.testing.assert_allclose(
            ours.wald_test(design, disp, beta, mu, ridge, contrast, 0.3, alternative),
            theirs.wald_test(design, disp, beta, mu, ridge, contrast, 0.3, alternative),
            rtol=1e-10,
        )


def test_failed_dispersion_fits_fall_back_to_pydeseq2_grid_search(fits):
    (default, _), _ = fits
    genes = default.non_zero_idx[:20]
    counts, mu = default.X[:, genes], default.layers["_mu_hat"][:, genes]
    design = default.obsm["design_matrix"].to_numpy()
    alpha_hat = default.var["_MoM_dispersions"].to_numpy()[genes]
    # one Newton iteration is not enough for genes started away from their optimum
    alpha, converged = VectorizedInference(max_newton_iter=1).alpha_mle(
        counts, design, mu, alpha_hat, 1e-8, 16.0
    )
    assert 0 < (~converged).sum() < len(genes)
    for gene in np.flatnonzero(~converged):
        grid = grid_fit_alpha(counts[:, gene], design, mu[:, gene], alpha_hat[gene], 1e-8, 16.0)
        assert alpha[gene] == pytest.approx(np.exp(grid), rel=1e-12)


def test_lfc_shrinkage_matches_default_inference(fits):
    (default, _), _ = fits
    tables = []
    for inference in (DefaultInference(n_cpus=1), VectorizedInference(n_cpus=2, chunk_size=64)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stats = DeseqStats(
                default, contrast=["condition", "drugA", "DMSO"], inference=inference, quiet=True
            )
            stats.summary()
            stats.lfc_shrink(coeff="condition[T.drugA]")
        tables.append(stats.results_df)
    theirs, ours = tables
    difference = (ours["log2FoldChange"] - theirs["log2FoldChange"]).abs()
    assert difference.max() < 0.01
    assert difference.median() < 1e-4
    np.testing.assert_allclose(ours["lfcSE"], theirs["lfcSE"], rtol=1e-3)


def test_lfc_shrinkage_finds_pydeseq2s_optimum_or_a_better_one(fits):
    (default, _), _ = fits
    genes = default.non_zero_idx[:80]
    design = default.obsm["design_matrix"].to_numpy()
    counts = default.X[:, genes]
    size = 1 / default.var["dispersions"].to_numpy()[genes]
    offset = np.log(default.obs["size_factors"].to_numpy())
    args = (design, counts, size, offset, 15.0, 0.5, "L-BFGS-B", 1)
    ours = VectorizedInference(n_cpus=2, chunk_size=64).lfc_shrink_nbinom_glm(*args)
    theirs = DefaultInference(n_cpus=1).lfc_shrink_nbinom_glm(*args)
    assert ours[2].all()
    np.testing.assert_allclose(ours[0], theirs[0], atol=5e-3)
    for gene in range(len(genes)):
        values = [
            nbinomFn(beta[gene], design, counts[:, gene], size[gene], offset, 15.0, 0.5, 1)
            for beta in (ours[0], theirs[0])
        ]
        assert values[0] <= values[1] + 1e-9


def test_failed_shrinkage_fits_fall_back_to_pydeseq2(fits):
    (default, _), _ = fits
    genes = default.non_zero_idx[:10]
    args = dict(
        design_matrix=default.obsm["design_matrix"].to_numpy(),
        counts=default.X[:, genes],
        size=1 / default.var["dispersions"].to_numpy()[genes],
        offset=np.log(default.obs["size_factors"].to_numpy()),
        prior_no_shrink_scale=15.0,
        prior_scale=0.5,
        optimizer="L-BFGS-B",
        shrink_index=1,
    )
    # one Newton iteration never converges from pydeseq2's starting point
    ours = VectorizedInference(max_newton_iter=1).lfc_shrink_nbinom_glm(**args)
    theirs = DefaultInference(n_cpus=1).lfc_shrink_nbinom_glm(**args)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_results_do_not_depend_on_chunks_or_threads(fits):
    (default, _), _ = fits
    counts = default.X[:, default.non_zero_idx]
    design = default.obsm["design_matrix"].to_numpy()
    mu = default.layers["_mu_hat"][:, default.non_zero_idx]
    alpha_hat = default.var.loc[default.var["non_zero"], "_MoM_dispersions"].to_numpy()
    one = VectorizedInference(n_cpus=1, chunk_size=10_000).alpha_mle(
        counts, design, mu, alpha_hat, 1e-8, 16.0
    )
    many = VectorizedInference(n_cpus=2, chunk_size=7).alpha_mle(
        counts, design, mu, alpha_hat, 1e-8, 16.0
    )
    # genes whose dispersion tends to 0 stop where the likelihood flattens out: there
    # rounding differences between chunkings move the stopping point a little
    np.testing.assert_allclose(one[0], many[0], rtol=1e-6)
    np.testing.assert_array_equal(one[1], many[1])


def test_map_prior_requires_its_variance():
    with pytest.raises(ValueError, match="Sigma_prior"):
        VectorizedInference().alpha_mle(
            np.ones((4, 2)),
            np.ones((4, 1)),
            np.ones((4, 2)),
            np.ones(2),
            1e-8,
            10.0,
            prior_reg=True,
        )
