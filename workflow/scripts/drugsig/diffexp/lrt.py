"""DESeq2's likelihood ratio test (``DESeq(dds, test="LRT", reduced=...)``) for pydeseq2.

pydeseq2 0.5.4 only has Wald tests. :func:`likelihood_ratio_test` adds R DESeq2's LRT
on top of a :class:`~pydeseq2.dds.DeseqDataSet` fitted with ``deseq2()`` on the FULL
design, following ``DESeq2:::nbinomLRT``, ``DESeq2:::fitNbinomGLMs`` and
``DESeq2::results`` (DESeq2 1.4x, ``betaPrior=FALSE``, ``type="DESeq2"``):

* dispersions and size factors: those of the fitted full model (``dds.var
  ["dispersions"]``, ``dds.obs["size_factors"]``), as ``DESeq(test="LRT")`` does;
* full and reduced models: negative binomial GLMs fitted by IRLS with these fixed
  dispersions (``inference.irls``); genes where it does not converge are refitted like
  R's ``fitNbinomGLMsOptim`` (L-BFGS-B on log2 coefficients, R's start and bounds, and
  the log-likelihood at means thresholded at ``min_mu``); an intercept-only reduced model
  is not fitted but, exactly like R, set to ``log(mean normalized count)``;
* ``stat = 2 * (logLik_full - logLik_reduced)`` (= deviance_reduced - deviance_full,
  log-likelihoods with the unthresholded fitted means), ``df = p_full - p_reduced``,
  ``pvalue = chi2.sf(stat, df)``; non-converged genes are kept (only flagged in
  ``fullBetaConv`` / ``reducedBetaConv``), as in R;
* Cook's distances of the full model (R uses the means stored by the gene-wise
  dispersion step, pydeseq2's ``layers["_mu_hat"]``, and the full fit's hat
  diagonals), maximum over samples whose design row has >= 3 replicates, cutoff
  ``qf(0.99, p_full, n - p_full)``; p-values of outlier genes set to NaN; R's
  "three larger counts" exemption only for one-factor two-level designs;
* count replacement (``refit_cooks``, cells with >= ``min_replicates`` samples): the
  replaced counts (pydeseq2's ``counts_to_refit``) are used for the refitted genes,
  replaceable samples are ignored in the maximum Cook's distance, genes that became
  all zero get ``stat = 0, pvalue = 1``;
* independent filtering on ``baseMean`` and BH adjustment as ``DESeq2:::
  pvalueAdjustment`` (including its 90 % / 80 % fallbacks that pydeseq2 lacks).

Workflow (rule ``deseq2_lrt``, :func:`write_lrt`): every dose series and time course
with >= 3 levels (:func:`drugsig.analysis.dose_response.lrt_series`; a dose series
includes its vehicle as dose 0) is fitted on its own samples, full ``~ covariates +
level`` against reduced ``~ covariates`` (``level`` a factor, so ``df`` = levels - 1):
is there any change in expression across the levels?

Outputs
-------
``results/de/lrt/{series}.tsv``: ``gene_id``, ``gene_name``, ``baseMean``, ``stat``
(2 x log-likelihood ratio), ``pvalue``, ``padj`` (BH after independent filtering at
``diffexp.alpha``; empty when filtered or a Cook's outlier), ``df``; genes with at
least ``diffexp.min_count`` reads over the series' samples, sorted by ``padj``.

``results/de/lrt/series.tsv``: one row per series, columns ``series``, ``factor``
(``dose`` | ``time``), ``cell_line``, ``genotype``, ``drug``, ``time`` (empty for a time
course), ``levels`` (``;``-joined, increasing, ``0`` = vehicle), ``samples``
(``,``-joined), ``n_samples``, ``n_significant`` (``padj < diffexp.alpha``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from formulaic import model_matrix
from pydeseq2.dds import DeseqDataSet
from pydeseq2.default_inference import DefaultInference
from pydeseq2.inference import Inference
from pydeseq2.utils import robust_method_of_moments_disp
from scipy.special import gammaln
from scipy.stats import chi2, f, false_discovery_control

from drugsig.diffexp.r_parity import deseq_classes
from drugsig.diffexp.r_parity.filtering import r_independent_filtering
from drugsig.errors import InputError
from drugsig.io import write_table_atomic, write_text_atomic
from drugsig.tables import LRT_INDEX_COLUMNS, match_contrast_files, read_counts

if TYPE_CHECKING:
    from drugsig.analysis.dose_response import LRTSeries

__all__ = [
    "LRT_COLUMNS",
    "LRTFit",
    "fit_nb_glm",
    "likelihood_ratio_test",
    "nb_log_likelihood",
    "pvalue_adjustment",
    "r_cooks_outliers",
    "reduced_design_matrix",
    "series_lrt",
    "write_lrt",
]


@dataclass(frozen=True)
class LRTFit:
    """A negative binomial GLM fitted with fixed dispersions.

    Attributes
    ----------
    beta : ndarray
        ``(genes, p)`` coefficients, natural log scale.
    mu : ndarray
        ``(samples, genes)`` fitted means ``s_j * exp(x_j beta)`` (not thresholded).
    hat_diagonals : ndarray
        ``(samples, genes)`` hat matrix diagonals.
    converged : ndarray
        ``(genes,)`` convergence flags.
    log_likelihood : ndarray
        ``(genes,)`` NB log-likelihood at ``mu`` (genes refitted by optim: at ``mu``
        thresholded at ``min_mu``, as R stores it).
    log_likelihood_mu : ndarray
        ``(genes,)`` the ``mu``-dependent part of ``log_likelihood`` (log-likelihood
        ratios are differences of these, free of ``lgamma`` cancellation).
    """

    beta: np.ndarray
    mu: np.ndarray
    hat_diagonals: np.ndarray
    converged: np.ndarray
    log_likelihood: np.ndarray
    log_likelihood_mu: np.ndarray


def nb_log_likelihood(counts: np.ndarray, mu: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Per-gene negative binomial log-likelihood (R ``sum(dnbinom(y, mu, 1/alpha, log=TRUE))``).

    Parameters
    ----------
    counts : ndarray
        ``(samples, genes)`` counts.
    mu : ndarray
        ``(samples, genes)`` means (> 0).
    alpha : ndarray
        ``(genes,)`` dispersions (> 0).

    Returns
    -------
    ndarray
        ``(genes,)`` log-likelihoods.
    """
    y = counts.astype(float)
    r = 1.0 / alpha
    log_mu_alpha = np.log(mu * alpha)
    return (
        gammaln(y + r)
        - gammaln(r)
        - gammaln(y + 1.0)
        + y * log_mu_alpha
        - (y + r) * np.log1p(mu * alpha)
    ).sum(axis=0)


def _mu_dependent_log_likelihood(
    counts: np.ndarray, mu: np.ndarray, alpha: np.ndarray
) -> np.ndarray:
    """Sum the terms of :func:`nb_log_likelihood` that depend on ``mu``.

    Log-likelihood ratios are computed from these so that the large ``lgamma`` terms
    (which lose all digits for ``alpha ~ 1e-8``) cancel exactly.
    """
    y = counts.astype(float)
    return (y * np.log(mu) - (y + 1.0 / alpha) * np.log1p(mu * alpha)).sum(axis=0)


def reduced_design_matrix(
    dds: DeseqDataSet, reduced: str | np.ndarray | pd.DataFrame
) -> pd.DataFrame:
    """Design matrix of the reduced model, on the samples of ``dds``.

    Parameters
    ----------
    dds : DeseqDataSet
        The data set (its ``obs`` provides the variables of a formula).
    reduced : str or ndarray or DataFrame
        A formulaic formula such as ``"~batch"`` or ``"~1"`` (categorical columns of
        ``dds.obs`` keep their category order, so reference levels match the full
        design), or the matrix itself (``samples x p_reduced``).

    Returns
    -------
    DataFrame
        ``samples x p_reduced`` design matrix.
    """
    if isinstance(reduced, str):
        matrix = model_matrix(reduced, dds.obs)
        return pd.DataFrame(
            np.asarray(matrix, dtype=float), index=dds.obs_names, columns=list(matrix.columns)
        )
    matrix = np.asarray(reduced, dtype=float)
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    columns = (
        list(reduced.columns)
        if isinstance(reduced, pd.DataFrame)
        else [f"x{i}" for i in range(matrix.shape[1])]
    )
    return pd.DataFrame(matrix, index=dds.obs_names, columns=columns)


def _is_intercept_only(design: np.ndarray) -> bool:
    return design.shape[1] == 1 and bool(np.all(design == 1.0))


def fit_nb_glm(
    counts: np.ndarray,
    size_factors: np.ndarray,
    design: np.ndarray,
    dispersions: np.ndarray,
    inference: Inference,
    min_mu: float = 0.5,
    beta_tol: float = 1e-8,
    maxiter: int = 100,
) -> LRTFit:
    """Fit NB GLMs with fixed dispersions as ``DESeq2:::fitNbinomGLMs`` (no beta prior).

    An intercept-only design is not fitted: like R, the intercept is
    ``log(mean normalized count)`` (the exact MLE only when size factors are equal).

    Parameters
    ----------
    counts : ndarray
        ``(samples, genes)`` counts, no all-zero gene.
    size_factors : ndarray
        ``(samples,)`` size factors.
    design : ndarray
        ``(samples, p)`` design matrix.
    dispersions : ndarray
        ``(genes,)`` dispersions.
    inference : Inference
        pydeseq2 inference back end (its ``irls`` is used).
    min_mu : float
        Lower threshold of the means inside IRLS (R ``minmu``).
    beta_tol : float
        Relative deviance change stopping IRLS (R ``betaTol``).
    maxiter : int
        IRLS iterations before the L-BFGS-B fallback (R ``nbinomLRT`` ``maxit=100``).

    Returns
    -------
    LRTFit
    """
    counts = np.asarray(counts)
    if _is_intercept_only(design):
        normalized_mean = (counts / size_factors[:, None]).mean(axis=0)
        beta = np.log(normalized_mean)[:, None]
        mu = size_factors[:, None] * normalized_mean[None, :]
        w = 1.0 / (1.0 / mu + dispersions[None, :])
        hat = w / w.sum(axis=0, keepdims=True)
        converged = np.ones(counts.shape[1], dtype=bool)
    else:
        beta, _, hat, converged = inference.irls(
            counts=counts,
            size_factors=size_factors,
            design_matrix=design,
            disp=dispersions,
            min_mu=min_mu,
            beta_tol=beta_tol,
            maxiter=maxiter,
        )
        beta = np.array(beta, dtype=float)
        hat = np.array(hat, dtype=float)
        converged = np.array(converged, dtype=bool)
    mu_loglik = None
    if not converged.all():
        mu_loglik = size_factors[:, None] * np.exp(design @ beta.T)
        for gene in np.flatnonzero(~converged):
            beta[gene], converged[gene] = _r_optim_refit(
                counts[:, gene], size_factors, design, dispersions[gene]
            )
            mu_loglik[:, gene] = np.maximum(size_factors * np.exp(design @ beta[gene]), min_mu)
    if not _is_intercept_only(design):
        mu = size_factors[:, None] * np.exp(design @ beta.T)
    if mu_loglik is None:
        mu_loglik = mu
    return LRTFit(
        beta=beta,
        mu=mu,
        hat_diagonals=hat,
        converged=converged,
        log_likelihood=nb_log_likelihood(counts, mu_loglik, dispersions),
        log_likelihood_mu=_mu_dependent_log_likelihood(counts, mu_loglik, dispersions),
    )


def _r_optim_refit(
    counts: np.ndarray,
    size_factors: np.ndarray,
    design: np.ndarray,
    alpha: float,
    lambda_: float = 1e-6,
    large: float = 30.0,
) -> tuple[np.ndarray, bool]:
    """Refit one gene as ``DESeq2:::fitNbinomGLMsOptim`` (for IRLS non-convergence).

    L-BFGS-B on log2-scale coefficients within ``[-30, 30]`` of the negative NB
    log-likelihood (unthresholded means) minus a N(0, 1/lambda) log prior, started
    from the least-squares start on ``log(normalized counts + 0.1)`` (R starts there
    when IRLS diverged; its values are used on the log2 scale, as in R).

    Returns
    -------
    beta : ndarray
        ``(p,)`` coefficients, natural log scale.
    converged : bool
        Whether L-BFGS-B reported convergence (R: ``optim``'s ``convergence == 0``).
    """
    from scipy.optimize import minimize

    y = counts.astype(float)
    r = 1.0 / alpha
    log2 = np.log(2.0)
    if np.linalg.matrix_rank(design) == design.shape[1]:
        q, rr = np.linalg.qr(design)
        start = np.linalg.solve(rr, q.T @ np.log(y / size_factors + 0.1))
    else:
        start = np.zeros(design.shape[1])

    def objective(p: np.ndarray) -> tuple[float, np.ndarray]:
        mu = size_factors * np.exp(log2 * (design @ p))
        # -loglik up to constants in p, and its gradient
        value = -(y * np.log(mu) - (y + r) * np.log1p(mu * alpha)).sum() + 0.5 * lambda_ * (p @ p)
        score = (y - mu) / (1.0 + mu * alpha)
        grad = -log2 * (design.T @ score) + lambda_ * p
        return float(value), grad

    result = minimize(
        objective,
        np.clip(start, -large, large),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-large, large)] * design.shape[1],
    )
    return result.x * log2, bool(result.success)


def pvalue_adjustment(
    pvalue: np.ndarray,
    filter_stat: np.ndarray,
    alpha: float = 0.1,
    independent_filter: bool = True,
) -> tuple[np.ndarray, float]:
    """BH adjustment after independent filtering, as ``DESeq2:::pvalueAdjustment``.

    The filtering is :func:`drugsig.diffexp.r_parity.filtering.r_independent_filtering`
    (R's ``lowess``, R's fallbacks); this adds the unfiltered case.

    Parameters
    ----------
    pvalue : ndarray
        ``(genes,)`` p-values, NaN for untested genes.
    filter_stat : ndarray
        ``(genes,)`` filter statistic (``baseMean``).
    alpha : float
        Target FDR used to choose the filter threshold (R ``results(alpha=0.1)``).
    independent_filter : bool
        If False, plain BH over the non-missing p-values.

    Returns
    -------
    padj : ndarray
        ``(genes,)`` adjusted p-values (NaN for filtered or untested genes).
    threshold : float
        The ``baseMean`` threshold chosen (``-inf`` without filtering).
    """
    pvalue = np.asarray(pvalue, dtype=float)
    if not independent_filter:
        padj = np.full(pvalue.shape, np.nan)
        tested = ~np.isnan(pvalue)
        if tested.any():
            padj[tested] = false_discovery_control(pvalue[tested], method="bh")
        return padj, -np.inf
    result = r_independent_filtering(np.asarray(filter_stat, dtype=float), pvalue, alpha)
    return result.padj, result.threshold


def _n_or_more_in_cell(design: np.ndarray, n: int) -> np.ndarray:
    """Flag samples whose design row occurs at least ``n`` times (R ``nOrMoreInCell``)."""
    _, inverse, counts = np.unique(design, axis=0, return_inverse=True, return_counts=True)
    return counts[inverse.ravel()] >= n


def _two_level_single_factor(dds: DeseqDataSet) -> bool:
    """Whether the full design is one factor with two levels (R's Cook's exemption)."""
    if not isinstance(dds.design, str):
        return False
    try:
        from formulaic import Formula

        variables = sorted(Formula(dds.design).required_variables)
    except Exception:  # pragma: no cover - defensive: unknown formula syntax
        return False
    if len(variables) != 1 or variables[0] not in dds.obs:
        return False
    column = dds.obs[variables[0]]
    numeric = pd.api.types.is_numeric_dtype(column) and not isinstance(
        column.dtype, pd.CategoricalDtype
    )
    return (not numeric) and column.nunique() == 2


def spread_matrix(values: np.ndarray, columns: np.ndarray, n_genes: int) -> np.ndarray:
    """Spread ``values`` into a ``(samples, n_genes)`` matrix, NaN outside ``columns``."""
    out = np.full((values.shape[0], n_genes), np.nan)
    out[:, columns] = values
    return out


def r_cooks_outliers(
    dds: DeseqDataSet,
    hat_diagonals: np.ndarray,
    mu_fallback: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Compute maximum Cook's distances and outlier flags as DESeq2 does.

    As ``nbinomLRT``/``nbinomWaldTest`` and ``results`` compute them.

    Cook's distance ``(y - mu)^2 / (mu + a mu^2) / p * h / (1 - h)^2`` on the original
    counts, with ``a`` the robust method-of-moments dispersion, ``mu`` the means stored
    by the gene-wise dispersion step (pydeseq2 ``layers["_mu_hat"]``, as R's
    ``assays(dds)[["mu"]]`` at that point) and ``h`` the full fit's hat diagonals. The
    maximum is over samples whose design row occurs >= 3 times (NaN if none or if
    ``n <= p``); with count replacement, replaceable samples count as 0 (NaN if all
    are replaceable). Outliers: ``maxCooks > qf(0.99, p, n - p)``; for a one-factor
    two-level design, genes with >= 3 counts above the outlying count are exempted.

    Parameters
    ----------
    dds : DeseqDataSet
        Fitted data set (design matrix, size factors, counts).
    hat_diagonals : ndarray
        ``(samples, genes)`` hat diagonals of the full model (NaN for untested genes).
    mu_fallback : ndarray, optional
        ``(samples, genes)`` means used if ``layers["_mu_hat"]`` is absent.

    Returns
    -------
    max_cooks : ndarray
        ``(genes,)`` maximum Cook's distance.
    outlier : ndarray
        ``(genes,)`` boolean outlier flags.
    """
    full_df = dds.obsm["design_matrix"]
    full = full_df.to_numpy(dtype=float)
    n, p = full.shape
    original = np.asarray(dds.X, dtype=float)
    n_genes = original.shape[1]
    max_cooks = np.full(n_genes, np.nan)
    outlier = np.zeros(n_genes, dtype=bool)
    use_for_max = _n_or_more_in_cell(full, 3)
    if n <= p or not use_for_max.any():
        return max_cooks, outlier
    cols = np.flatnonzero(~(original == 0).all(axis=0))
    size_factors = dds.obs["size_factors"].to_numpy(dtype=float)
    if "_mu_hat" in dds.layers:
        mu = np.asarray(dds.layers["_mu_hat"])[:, cols]
    elif mu_fallback is not None:
        mu = mu_fallback[:, cols]
    else:
        raise ValueError(
            "no means for Cook's distances: keep layers['_mu_hat'] (low_memory=False)."
        )
    hat = hat_diagonals[:, cols]
    mom = robust_method_of_moments_disp(original[:, cols] / size_factors[:, None], full_df)
    cooks = (original[:, cols] - mu) ** 2 / (mu + mom[None, :] * mu**2) / p * hat / (1.0 - hat) ** 2
    if "replaced" in dds.var and bool(dds.var["replaced"].any()) and "replaceable" in dds.obs:
        replaceable = dds.obs["replaceable"].to_numpy(dtype=bool)
        if replaceable.all():
            return max_cooks, outlier
        cooks[replaceable, :] = 0.0
    with np.errstate(invalid="ignore"):
        max_cooks[cols] = np.max(cooks[use_for_max, :], axis=0)
        outlier = max_cooks > f.ppf(0.99, p, n - p)
    if outlier.any() and _two_level_single_factor(dds):
        all_cooks = spread_matrix(cooks, cols, n_genes)
        for gene in np.flatnonzero(outlier):
            out_count = original[np.nanargmax(all_cooks[:, gene]), gene]
            if (original[:, gene] > out_count).sum() >= 3:
                outlier[gene] = False
    return max_cooks, outlier


def likelihood_ratio_test(
    dds: DeseqDataSet,
    reduced_design: str | np.ndarray | pd.DataFrame,
    inference: Inference | None = None,
    alpha: float = 0.1,
    cooks_filter: bool = True,
    independent_filter: bool = True,
    maxiter: int = 100,
) -> pd.DataFrame:
    """DESeq2's likelihood ratio test of the full design of ``dds`` against a reduced one.

    Parameters
    ----------
    dds : DeseqDataSet
        Fitted (``dds.deseq2()``) on the FULL design: its size factors and
        dispersions are used for both models.
    reduced_design : str or ndarray or DataFrame
        Reduced model: a formula (``"~1"``, ``"~batch"``) evaluated on ``dds.obs`` or
        a ``samples x p_reduced`` matrix. Its columns must lie in the span of the full
        design matrix.
    inference : Inference, optional
        Back end for the IRLS fits (e.g. ``drugsig.inference.VectorizedInference``);
        default ``dds.inference``.
    alpha : float
        FDR target of the independent filtering (R ``results`` default ``0.1``).
    cooks_filter : bool
        Set p-values of genes with a Cook's outlier to NaN (R ``cooksCutoff``).
    independent_filter : bool
        Independent filtering on ``baseMean`` before BH (R ``independentFiltering``).
    maxiter : int
        IRLS iterations before the L-BFGS-B fallback.

    Returns
    -------
    DataFrame
        Indexed by gene: ``baseMean``, ``stat``, ``pvalue``, ``padj``, and diagnostics
        ``df``, ``fullBetaConv``, ``reducedBetaConv``, ``deviance`` (full model,
        ``-2 logLik``), ``maxCooks``. All-zero genes have NaN statistics.

    Raises
    ------
    ValueError
        If ``dds`` is not fitted, or the reduced model is not nested in the full one.
    """
    if "dispersions" not in dds.var or "size_factors" not in dds.obs:
        raise ValueError("fit the DeseqDataSet first (dds.deseq2()).")
    inference = inference or getattr(dds, "inference", None) or DefaultInference()
    full_df = dds.obsm["design_matrix"]
    full = full_df.to_numpy(dtype=float)
    reduced = reduced_design_matrix(dds, reduced_design).to_numpy(dtype=float)
    n, p_full = full.shape
    p_reduced = reduced.shape[1]
    df = p_full - p_reduced
    if df < 1:
        raise ValueError("the reduced design must have fewer columns than the full design.")
    if np.linalg.matrix_rank(np.hstack([full, reduced])) != np.linalg.matrix_rank(full):
        raise ValueError("the reduced design is not nested in the full design.")

    size_factors = dds.obs["size_factors"].to_numpy(dtype=float)
    original = np.asarray(dds.X, dtype=float)
    counts = original.copy()
    genes = dds.var_names
    if (
        "refitted" in dds.var
        and bool(dds.var["refitted"].any())
        and hasattr(dds, "counts_to_refit")
    ):
        replacement = dds.counts_to_refit
        columns = genes.get_indexer(replacement.var_names)
        counts[:, columns] = np.asarray(replacement.X, dtype=float)
    replaced = (
        dds.var["replaced"].to_numpy(dtype=bool)
        if "replaced" in dds.var
        else np.zeros(len(genes), dtype=bool)
    )
    nonzero = ~(counts == 0).all(axis=0)
    now_zero = replaced & ~nonzero & ~(original == 0).all(axis=0)
    idx = np.flatnonzero(nonzero)
    disp = dds.var["dispersions"].to_numpy(dtype=float)[idx]
    y = counts[:, idx]

    fit_full = fit_nb_glm(y, size_factors, full, disp, inference, dds.min_mu, dds.beta_tol, maxiter)
    fit_reduced = fit_nb_glm(
        y, size_factors, reduced, disp, inference, dds.min_mu, dds.beta_tol, maxiter
    )
    stat_nz = 2.0 * (fit_full.log_likelihood_mu - fit_reduced.log_likelihood_mu)

    def spread(values: np.ndarray, fill: float = np.nan) -> np.ndarray:
        out = np.full(len(genes), fill, dtype=float)
        out[idx] = values
        return out

    stat = spread(stat_nz)
    pvalue = chi2.sf(stat, df)
    base_mean = dds.var["_normed_means"].to_numpy(dtype=float).copy()
    base_mean[~nonzero] = 0.0

    hat_all = np.full((n, len(genes)), np.nan)
    hat_all[:, idx] = fit_full.hat_diagonals
    max_cooks, outlier = r_cooks_outliers(
        dds, hat_all, mu_fallback=spread_matrix(fit_full.mu, idx, len(genes))
    )
    if cooks_filter:
        pvalue[outlier] = np.nan
    # genes whose replaced counts are all zero (R results(): stat 0, pvalue 1)
    stat[now_zero] = 0.0
    pvalue[now_zero] = 1.0

    padj, _ = pvalue_adjustment(
        pvalue, base_mean, alpha=alpha, independent_filter=independent_filter
    )
    return pd.DataFrame(
        {
            "baseMean": base_mean,
            "stat": stat,
            "pvalue": pvalue,
            "padj": padj,
            "df": df,
            "fullBetaConv": pd.array(
                np.where(nonzero, spread(fit_full.converged.astype(float)) == 1.0, pd.NA),
                dtype="boolean",
            ),
            "reducedBetaConv": pd.array(
                np.where(nonzero, spread(fit_reduced.converged.astype(float)) == 1.0, pd.NA),
                dtype="boolean",
            ),
            "deviance": spread(-2.0 * fit_full.log_likelihood),
            "maxCooks": max_cooks,
        },
        index=genes,
    )


# --- Workflow: one LRT per dose series and time course -------------------------------

#: Columns of a per-series LRT table (``results/de/lrt/{series}.tsv``).
LRT_COLUMNS = ["gene_id", "gene_name", "baseMean", "stat", "pvalue", "padj", "df"]


def series_lrt(
    counts: pd.DataFrame,
    samples: pd.DataFrame,
    series: LRTSeries,
    diffexp_cfg: Mapping[str, Any],
    inference: Inference,
) -> pd.DataFrame:
    """LRT of ``~ covariates + level`` against ``~ covariates`` on one series' samples.

    Parameters
    ----------
    counts
        Count matrix: ``gene_id``, ``gene_name``, one integer column per sample.
    samples
        Samples sheet, indexed by sample (covariate values).
    series
        From :func:`drugsig.analysis.dose_response.lrt_series`.
    diffexp_cfg
        The validated ``diffexp`` config section (``covariates``, ``min_count``,
        ``alpha``, ``r_parity`` are used).
    inference
        pydeseq2 inference back end for the DESeq2 fit and both GLM fits.

    Returns
    -------
    DataFrame
        Columns :data:`LRT_COLUMNS`, one row per gene with at least
        ``diffexp.min_count`` reads over the series' samples, sorted by ``padj``
        (missing last) then ``gene_id``.

    Raises
    ------
    InputError
        If the covariates are confounded with the levels on the series' samples.
    """
    names = list(series.samples)
    matrix = counts.set_index("gene_id")[names]
    matrix = matrix[matrix.sum(axis=1) >= diffexp_cfg["min_count"]]
    covariates = {
        f"cov{i}": samples.loc[names, column].astype(str)
        for i, column in enumerate(diffexp_cfg["covariates"])
    }
    width = len(str(len(series.levels) - 1))
    codes = {level: f"l{i:0{width}d}" for i, level in enumerate(series.levels)}
    metadata = pd.DataFrame(
        {**covariates, "level": [codes[series.samples[name]] for name in names]}, index=names
    )
    reduced = "~" + (" + ".join(covariates) if covariates else "1")
    dataset, _ = deseq_classes(diffexp_cfg["r_parity"])
    dds = dataset(
        counts=matrix.T,
        metadata=metadata,
        design="~" + " + ".join(metadata.columns),
        refit_cooks=True,
        inference=inference,
        quiet=True,
        low_memory=False,
    )
    design = dds.obsm["design_matrix"].to_numpy(dtype=float)
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise InputError(
            f"LRT of series {series.name}: the covariates "
            f"{', '.join(diffexp_cfg['covariates'])} (diffexp.covariates) are confounded "
            f"with its {series.factor} levels on its samples, so the model cannot be "
            "fitted. Remove them, add samples that separate them, or set diffexp.lrt: false."
        )
    dds.deseq2()
    table = likelihood_ratio_test(dds, reduced, inference, alpha=diffexp_cfg["alpha"])
    names_by_id = counts.set_index("gene_id")["gene_name"]
    table = table.rename_axis("gene_id").reset_index()
    table.insert(1, "gene_name", table["gene_id"].map(names_by_id))
    return (
        table[LRT_COLUMNS]
        .sort_values(["padj", "gene_id"], na_position="last")
        .reset_index(drop=True)
    )


def lrt_index_row(series: LRTSeries, table: pd.DataFrame, alpha: float) -> dict[str, Any]:
    """Row of ``results/de/lrt/series.tsv`` (:data:`drugsig.tables.LRT_INDEX_COLUMNS`)."""
    return {
        "series": series.name,
        "factor": series.factor,
        "cell_line": series.keys.get("cell_line", ""),
        "genotype": series.keys.get("genotype", ""),
        "drug": series.keys.get("drug", ""),
        "time": series.keys.get("time", ""),
        "levels": ";".join(series.levels),
        "samples": ",".join(series.samples),
        "n_samples": len(series.samples),
        "n_significant": int((table["padj"] < alpha).sum()),
    }


def lrt_mqc(index: pd.DataFrame, alpha: float) -> str:
    """MultiQC custom content (``lrt_series_mqc.tsv``): the series and their LRT genes.

    Parameters
    ----------
    index
        The index table (:data:`drugsig.tables.LRT_INDEX_COLUMNS`).
    alpha
        ``diffexp.alpha``, quoted in the description.

    Returns
    -------
    str
        The file's text (:func:`drugsig.report.multiqc.custom_content`).
    """
    from drugsig.report.multiqc import column, custom_content

    count = {"format": "{:,.0f}", "min": 0}
    config = {
        "id": "lrt_series",
        "section_name": "Dose and time series (LRT)",
        "description": (
            "Likelihood ratio test of each dose series (vehicle = dose 0) and time course "
            "with at least diffexp.lrt_min_levels levels: full ~ covariates + level against "
            f"reduced ~ covariates on the series' samples. Significant: padj < {alpha:g}; "
            "only these genes can be called in the dose/time-response tables. Full tables: "
            "results/de/lrt."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "lrt_series_table",
            "title": "drugsig: LRT of dose series and time courses",
            "col1_header": "Series",
            "sort_rows": False,
            "no_violin": True,
            "series_label": "series",
        },
        "headers": {
            "factor": column("Factor", "dose series or time course"),
            "drug": column("Drug", "the treatment"),
            "levels": column("Levels", "the levels tested (0 = vehicle)"),
            "n_samples": column("Samples", "samples of the series", **count),
            "n_significant": column(
                "Significant", f"genes with LRT padj < {alpha:g}", scale="Reds", **count
            ),
        },
    }
    shown = index.set_index("series")[["factor", "drug", "levels", "n_samples", "n_significant"]]
    return custom_content(config, shown, index=True)


def write_lrt(
    counts: str | Path,
    samples: str | Path,
    diffexp_cfg: Mapping[str, Any],
    tables: Sequence[str | Path],
    index: str | Path,
    inference: Inference | None = None,
    mqc: str | Path | None = None,
) -> None:
    """Run the LRT of every series (:func:`series_lrt`) and write its tables and index.

    Parameters
    ----------
    counts
        The count matrix TSV (``results/counts/counts.tsv``).
    samples
        The samples sheet.
    diffexp_cfg
        The validated ``diffexp`` config section; without ``lrt`` (false) no series is
        tested and the index holds only its header.
    tables
        One output path per series, named ``{series}.tsv``, in series order.
    index
        Output path of ``results/de/lrt/series.tsv``: one row per series (columns
        :data:`drugsig.tables.LRT_INDEX_COLUMNS`), ``n_significant`` genes with
        ``padj < diffexp.alpha``.
    inference
        pydeseq2 inference back end; default
        ``VectorizedInference(n_cpus=diffexp_cfg["n_cpus"])``.
    mqc
        Output path of the MultiQC section (:func:`lrt_mqc`), if any.

    Raises
    ------
    ValueError
        If ``tables`` does not name exactly the series' files.
    """
    from drugsig.analysis.dose_response import lrt_series
    from drugsig.diffexp.inference import VectorizedInference
    from drugsig.inputs.design import build_contrasts
    from drugsig.inputs.sheets import load_samples

    sheet = load_samples(samples)
    found = (
        lrt_series(
            sheet,
            build_contrasts(sheet, diffexp_cfg, source=str(samples)),
            diffexp_cfg,
            diffexp_cfg.get("lrt_min_levels", 3),
        )
        if diffexp_cfg.get("lrt", True)
        else []
    )
    paths = match_contrast_files(tables, [one.name for one in found])
    matrix = read_counts(counts)
    inference = inference or VectorizedInference(n_cpus=diffexp_cfg["n_cpus"])
    rows = []
    for one in found:
        table = series_lrt(matrix, sheet, one, diffexp_cfg, inference)
        write_table_atomic(table, paths[one.name])
        rows.append(lrt_index_row(one, table, diffexp_cfg["alpha"]))
    summary = pd.DataFrame(rows, columns=LRT_INDEX_COLUMNS)
    write_table_atomic(summary, index)
    if mqc is not None:
        write_text_atomic(lrt_mqc(summary, diffexp_cfg["alpha"]), mqc)
