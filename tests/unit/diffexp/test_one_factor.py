"""The exact one-factor fast paths of VectorizedInference equal the general ones."""

import numpy as np
import pytest

from drugsig.diffexp import inference, one_factor
from drugsig.diffexp.inference import VectorizedInference, _ApeglmObjective
from drugsig.diffexp.r_parity.stats import MinMuWald

LN2 = np.log(2.0)
K = 6  # compounds
N_REFERENCE, N_REPLICATES = 12, 3


def _design(group: np.ndarray, covariate: np.ndarray | None = None) -> np.ndarray:
    columns = [np.ones(group.size)] + [(group == j).astype(float) for j in range(1, K + 1)]
    if covariate is not None:
        columns.append(covariate)
    return np.column_stack(columns)


@pytest.fixture(scope="module")
def screen() -> dict[str, np.ndarray]:
    """Simulated screen, 500 genes; the last four: zero reference, strong effect, outlier,
    zero groups."""
    rng = np.random.default_rng(7)
    group = np.repeat(np.arange(K + 1), [N_REFERENCE] + [N_REPLICATES] * K)
    n_genes = 500
    base = np.exp(rng.normal(np.log(100.0), 1.5, n_genes))
    dispersion = (4.0 / base + 0.05) * np.exp(rng.normal(0.0, 0.3, n_genes))
    lfc = np.where(rng.random((K + 1, n_genes)) < 0.1, rng.normal(0.0, 1.5, (K + 1, n_genes)), 0.0)
    lfc[0] = 0.0
    size_factors = np.exp(rng.normal(0.0, 0.2, group.size))
    mean = size_factors[:, None] * base * 2.0 ** lfc[group]
    shape = 1.0 / dispersion
    counts = rng.poisson(rng.gamma(shape, mean / shape)).astype(float)
    counts[:, -3] = np.where(group == 2, 4000.0, 60.0)  # strong effect of compound 2
    counts[:, -2] = 80.0
    counts[np.flatnonzero(group == 2)[0], -2] = 2000.0  # outlier replicate
    counts[:, -1] = 50.0
    counts[group == 2, -1] = 0.0  # all zeros in the shrunken group
    counts[group == 4, -1] = 0.0  # and in another one
    counts[:, -4] = np.where(group == 0, 0.0, 30.0)  # all zeros in the reference group
    return {
        "counts": counts,
        "group": group,
        "size": 1.0 / dispersion,
        "offset": np.log(size_factors),
    }


def _polish(beta: np.ndarray, objective: _ApeglmObjective, shrink: int) -> np.ndarray:
    """Exact Newton steps on the full apeGLM objective (the general path stops at a
    tolerance of ~1e-4 on genes with large counts; this takes both to the optimum)."""
    beta = beta.copy()
    genes = np.arange(beta.shape[0])
    for _ in range(20):
        _, _, gradient, hessian, curvature = objective(beta, genes)
        hessian = hessian.copy()
        hessian[:, shrink, shrink] += curvature
        step = np.linalg.solve(hessian, gradient[:, :, None])[:, :, 0]
        definite = np.linalg.eigvalsh(hessian)[:, 0] > 0
        beta[definite] -= step[definite]
    return beta


@pytest.mark.parametrize(("shrink", "prior_scale"), [(2, 0.1), (2, 0.6), (5, 0.3)])
def test_fast_shrinkage_equals_general_path(screen, shrink, prior_scale):
    design = _design(screen["group"])
    args = (design, screen["counts"], screen["size"], screen["offset"], 15.0, prior_scale)
    fast_inference = VectorizedInference(n_cpus=1)
    fast, fast_inverse, fast_ok = fast_inference.lfc_shrink_nbinom_glm(*args, "L-BFGS-B", shrink)
    assert fast_inference._screen is not None  # the fast path ran
    general, _, general_ok = VectorizedInference(
        n_cpus=1, one_factor_shrinkage=False
    ).lfc_shrink_nbinom_glm(*args, "L-BFGS-B", shrink)
    assert fast_ok.all() and general_ok.all()
    objective = _ApeglmObjective(
        screen["counts"], screen["size"], screen["offset"], design, 15.0, prior_scale, shrink
    )
    exact = _polish(general, objective, shrink)
    (exact_inverse,) = inference._pydeseq2_inverse_hessian(objective, exact)
    exact_se = np.sqrt(np.abs(exact_inverse[shrink, shrink]))
    fast_se = np.sqrt(np.abs(fast_inverse[:, shrink, shrink]))
    np.testing.assert_array_less(np.abs(fast[:, shrink] - exact[:, shrink]) / LN2, 1e-5)
    np.testing.assert_array_less(np.abs(fast_se - exact_se) / LN2, 1e-4)
    # the unpolished general path, within its own stopping tolerance
    np.testing.assert_array_less(np.abs(fast[:, shrink] - general[:, shrink]) / LN2, 1e-3)
    # the other coefficients are at their optimum too: same objective
    genes = np.arange(fast.shape[0])
    value_fast, value_exact = objective(fast, genes)[0], objective(exact, genes)[0]
    np.testing.assert_array_less(value_fast - value_exact, 1e-7 * np.abs(value_exact) + 1e-8)
    # the special genes were shrunk as on the full design
    assert fast[-3, shrink] / LN2 > 5.0 if shrink == 2 else True


def test_shrinkage_is_cached_across_contrasts_and_reset_by_new_data(screen):
    design = _design(screen["group"])
    fitter = VectorizedInference(n_cpus=1)
    args = (design, screen["counts"], screen["size"], screen["offset"], 15.0, 0.3, "L-BFGS-B")
    fitter.lfc_shrink_nbinom_glm(*args, 1)
    blocks = fitter._screen[2]
    fitter.lfc_shrink_nbinom_glm(*args, 3)
    assert fitter._screen[2] is blocks
    changed = screen["counts"].copy()
    changed[0, 0] += 1.0
    fitter.lfc_shrink_nbinom_glm(design, changed, *args[2:], 3)
    assert fitter._screen[2] is not blocks


def test_fast_path_only_for_one_factor_designs(screen):
    group = screen["group"]
    assert np.array_equal(one_factor.one_hot_groups(_design(group)), group)
    covariate = np.tile([0.0, 1.0], group.size // 2 + 1)[: group.size]
    with_covariate = _design(group, covariate)
    assert one_factor.one_hot_groups(with_covariate) is None
    assert one_factor.one_hot_groups(_design(group)[:, :-1]) is not None  # fewer groups
    no_reference = _design(group)[N_REFERENCE:]
    assert one_factor.one_hot_groups(no_reference) is None
    fitter = VectorizedInference(n_cpus=1)
    counts = screen["counts"][:, :50]
    fitter.lfc_shrink_nbinom_glm(
        with_covariate, counts, screen["size"][:50], screen["offset"], 15.0, 0.3, "L-BFGS-B", 1
    )
    assert fitter._screen is None


def _general(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(one_factor, "one_hot_groups", lambda design_matrix: None)


def test_fast_irls_dispersions_and_wald_equal_general(screen, monkeypatch):
    design = _design(screen["group"])
    counts = screen["counts"]
    size_factors = np.exp(screen["offset"])
    dispersion = 1.0 / screen["size"]
    fitter = VectorizedInference(n_cpus=1)
    fast_irls = fitter.irls(counts, size_factors, design, dispersion, 0.5, 1e-8)
    fast_alpha = fitter.alpha_mle(counts, design, fast_irls[1], dispersion, 1e-8, 10.0)
    ridge = np.diag(np.repeat(1e-6, K + 1))
    contrast = np.zeros(K + 1)
    contrast[3] = 1.0
    wald_args = (design, dispersion, fast_irls[0], fast_irls[1], ridge, contrast, 0.0)
    fast_wald = fitter.wald_test(*wald_args)
    assert fitter._wald_cache is not None  # the fast path ran
    assert fitter.wald_test(*wald_args)[2] is not None
    _general(monkeypatch)
    general_irls = fitter.irls(counts, size_factors, design, dispersion, 0.5, 1e-8)
    general_alpha = fitter.alpha_mle(counts, design, fast_irls[1], dispersion, 1e-8, 10.0)
    general_wald = fitter.wald_test(*wald_args)
    for fast, general in zip(fast_irls, general_irls, strict=True):
        np.testing.assert_allclose(fast, general, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fast_alpha[0], general_alpha[0], rtol=1e-6)
    for fast, general in zip(fast_wald, general_wald, strict=True):
        np.testing.assert_allclose(fast, general, rtol=1e-9)


def test_intercepts_outside_the_interpolation_interval_use_the_exact_envelope(screen, monkeypatch):
    design = _design(screen["group"])
    args = (design, screen["counts"], screen["size"], screen["offset"], 15.0, 0.3, "L-BFGS-B", 4)
    interpolated, inverse, _ = VectorizedInference(n_cpus=1).lfc_shrink_nbinom_glm(*args)
    exact_calls = []
    envelope_exact = one_factor.OneFactorShrinkage.envelope_exact

    def counted(self, intercept, genes):
        exact_calls.append(len(genes))
        return envelope_exact(self, intercept, genes)

    monkeypatch.setattr(one_factor.OneFactorShrinkage, "envelope_exact", counted)
    # a tiny interval: most intercepts end outside it and are refitted exactly
    monkeypatch.setattr(one_factor, "_HALF_WIDTH", 0.01)
    exact, exact_inverse, converged = VectorizedInference(n_cpus=1).lfc_shrink_nbinom_glm(*args)
    assert converged.all()
    assert max(exact_calls) > 200
    np.testing.assert_allclose(exact[:, 4], interpolated[:, 4], atol=1e-6)
    np.testing.assert_allclose(exact_inverse[:, 4, 4], inverse[:, 4, 4], rtol=1e-5, atol=1e-9)


def test_reduced_objective_is_the_full_objective_at_the_profile_optimum(screen):
    design = _design(screen["group"])
    fitter = VectorizedInference(n_cpus=1)
    args = (design, screen["counts"], screen["size"], screen["offset"], 15.0, 0.3, "L-BFGS-B", 3)
    beta, _, _ = fitter.lfc_shrink_nbinom_glm(*args)
    (block,) = fitter._screen[2]
    genes = np.arange(beta.shape[0])
    for shift in (0.0, 0.5):  # at the optimum, and off it (other groups re-optimised)
        point = beta.copy()
        point[:, 3] += shift
        reduced = one_factor._ReducedObjective(block, 3, 0.3, block.envelope)
        value, _, gradient, _, _ = reduced(point[:, [0, 3]], genes)
        exact = one_factor._ReducedObjective(block, 3, 0.3, block.envelope_exact)(
            point[:, [0, 3]], genes
        )
        np.testing.assert_allclose(value, exact[0], rtol=1e-12)
        np.testing.assert_allclose(gradient, exact[2], rtol=1e-8, atol=1e-8)
        full = _ApeglmObjective(
            screen["counts"], screen["size"], screen["offset"], design, 15.0, 0.3, 3
        )
        # the other coefficients at their optimum given (b0, b_3): profile value
        others = one_factor._inner_newton(
            block.row_counts,
            block.row_shifted_offset,
            block.size,
            block.member,
            point[:, 0],
            block.group_start,
            block.precision,
            100,
            weights=False,
        )[0]
        profile = others.T - point[:, [0]]
        profile[:, 2] = point[:, 3]
        full_beta = np.concatenate([point[:, [0]], profile], axis=1)
        np.testing.assert_allclose(value, full(full_beta, genes)[0], rtol=1e-10)


@pytest.mark.parametrize("one_hot", [True, False])
def test_r_min_mu_bounds_the_means_of_the_wald_weights(screen, monkeypatch, one_hot):
    """diffexp.r_parity's Wald test (MinMuWald) on both paths: R's max(mu, 0.5)."""
    if not one_hot:
        _general(monkeypatch)
    design = _design(screen["group"])
    counts = screen["counts"][:, -3:]  # the last gene has all-zero groups
    dispersion = 1.0 / screen["size"][-3:]
    size_factors = np.exp(screen["offset"])
    lfc, mu, _, _ = VectorizedInference(n_cpus=1).irls(
        counts, size_factors, design, dispersion, 0.5, 1e-8
    )
    assert mu.min() < 0.5  # fitted means of the all-zero groups
    ridge = np.diag(np.repeat(1e-6, K + 1))
    contrast = np.zeros(K + 1)
    contrast[2] = 1.0
    args = (design, dispersion, lfc, mu, ridge, contrast, 0.0)
    bounded = MinMuWald(VectorizedInference(n_cpus=1)).wald_test(*args)
    by_hand = VectorizedInference(n_cpus=1).wald_test(*args[:3], np.maximum(mu, 0.5), *args[4:])
    unbounded = VectorizedInference(n_cpus=1).wald_test(*args)
    np.testing.assert_allclose(bounded, by_hand, rtol=1e-12)
    assert bounded[2][-1] < 0.9 * unbounded[2][-1]  # smaller SE for the all-zero group
