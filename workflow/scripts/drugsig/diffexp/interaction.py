"""Interaction contrasts (genotype x treatment, time x treatment) with pydeseq2 0.5.4.

pydeseq2 0.5.x builds the design matrix with formulaic from a formula string, so
``"~genotype + treatment + genotype:treatment"`` and ``"~genotype * treatment"`` give
the same matrix. Coefficient (column) names are formulaic's, with treatment coding
against the first category of each column:

==========================================  =============================================
pydeseq2 / formulaic                        R DESeq2 ``resultsNames``
==========================================  =============================================
``Intercept``                               ``Intercept``
``genotype[T.resistant]``                   ``genotype_resistant_vs_parental``
``treatment[T.drug]``                       ``treatment_drug_vs_DMSO``
``genotype[T.resistant]:treatment[T.drug]`` ``genotyperesistant.treatmentdrug``
==========================================  =============================================

Reference levels come from the category order of ``pandas.Categorical`` columns (for
plain string columns formulaic sorts the values: make the columns categorical with the
reference first, :func:`set_reference_levels`). ``DeseqStats(contrast=[factor, a, b])``
on an interaction design gives the main-effect coefficient, i.e. the effect at the
reference level of the other factor (as R); any other quantity needs a contrast vector
(:func:`contrast_vector`), e.g. the drug effect in the resistant line is
``treatment[T.drug] + genotype[T.resistant]:treatment[T.drug]``.

``DeseqStats.lfc_shrink(coeff=<interaction column>)`` runs (apeGLM prior on that single
coefficient, as R ``lfcShrink(type="apeglm", coef=...)``); shrinking a linear
combination such as the drug effect in the resistant line is not possible in either
(reparametrise, i.e. relevel genotype, so that it becomes a coefficient).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from pydeseq2.dds import DeseqDataSet
from pydeseq2.ds import DeseqStats
from pydeseq2.inference import Inference

from drugsig.diffexp.lrt import pvalue_adjustment, r_cooks_outliers

Level = tuple[str, str]  # (factor column, level)


def set_reference_levels(metadata: pd.DataFrame, references: Mapping[str, str]) -> pd.DataFrame:
    """Make ``references``' columns categorical with the reference level first.

    Parameters
    ----------
    metadata : DataFrame
        Sample metadata.
    references : Mapping
        ``{column: reference level}``, e.g. ``{"genotype": "parental", "treatment": "DMSO"}``.

    Returns
    -------
    DataFrame
        A copy; other levels keep their order of first appearance.

    Raises
    ------
    ValueError
        If a reference level does not occur in its column.
    """
    out = metadata.copy()
    for column, reference in references.items():
        values = out[column].astype(str)
        levels = list(dict.fromkeys(values))
        if reference not in levels:
            raise ValueError(
                f"reference level {reference!r} not found in column {column!r}: {levels}"
            )
        levels.remove(reference)
        out[column] = pd.Categorical(values, categories=[reference, *levels])
    return out


def interaction_design(factor_a: str, factor_b: str, covariates: Sequence[str] = ()) -> str:
    """Build the formula ``~ covariates + a + b + a:b`` (main effects and interaction).

    Parameters
    ----------
    factor_a, factor_b : str
        Interacting factors, e.g. ``"genotype"``, ``"treatment"`` (or ``"time"``).
    covariates : Sequence of str
        Additional additive terms (e.g. ``"batch"``).

    Returns
    -------
    str
    """
    return "~" + " + ".join([*covariates, factor_a, factor_b, f"{factor_a}:{factor_b}"])


def interaction_coefficient(dds: DeseqDataSet, a: Level, b: Level) -> str:
    """Name of the ``a x b`` interaction column of ``dds``'s design matrix.

    Parameters
    ----------
    dds : DeseqDataSet
        Data set with an interaction design.
    a, b : tuple of str
        ``(factor, non-reference level)``, e.g. ``("genotype", "resistant")``.

    Returns
    -------
    str
        e.g. ``"genotype[T.resistant]:treatment[T.drug]"``.

    Raises
    ------
    KeyError
        If the design has no such column (lists the available ones).
    """
    columns = list(dds.obsm["design_matrix"].columns)
    for first, second in ((a, b), (b, a)):
        name = f"{first[0]}[T.{first[1]}]:{second[0]}[T.{second[1]}]"
        if name in columns:
            return name
    raise KeyError(f"no interaction column for {a} x {b}; design columns: {columns}")


def contrast_vector(dds: DeseqDataSet, weights: Mapping[str, float]) -> np.ndarray:
    """Contrast vector over the design columns of ``dds`` from ``{column: weight}``.

    Parameters
    ----------
    dds : DeseqDataSet
        Data set.
    weights : Mapping
        e.g. ``{"treatment[T.drug]": 1, "genotype[T.resistant]:treatment[T.drug]": 1}``
        for the drug effect in the resistant line.

    Returns
    -------
    ndarray
        ``(p,)`` contrast vector.
    """
    columns = list(dds.obsm["design_matrix"].columns)
    unknown = set(weights) - set(columns)
    if unknown:
        raise KeyError(f"unknown design column(s) {sorted(unknown)}; available: {columns}")
    return np.array([float(weights.get(column, 0.0)) for column in columns])


def wald_r_style(
    dds: DeseqDataSet,
    contrast: np.ndarray,
    inference: Inference | None = None,
    alpha: float = 0.1,
    shrink_coeff: str | None = None,
) -> pd.DataFrame:
    """Wald test of a contrast with R DESeq2's Cook's filtering and independent filtering.

    pydeseq2's ``DeseqStats`` differs from R ``results`` in three details this undoes:
    its standard errors use the unthresholded fitted means (R: thresholded at
    ``min_mu``, which matters for genes with means below 0.5);
    it exempts genes with >= 3 counts above the outlier from Cook's filtering in every
    design (R: only one-factor two-level designs), and computes Cook's distances with
    the fitted GLM means (R: the dispersion step's means). Independent filtering
    follows ``DESeq2:::pvalueAdjustment``.

    Parameters
    ----------
    dds : DeseqDataSet
        Fitted data set.
    contrast : ndarray
        ``(p,)`` contrast vector.
    inference : Inference, optional
        Back end (default ``dds.inference``).
    alpha : float
        FDR target of the independent filtering (R default 0.1).
    shrink_coeff : str, optional
        Design column to shrink with apeGLM (``lfc_shrink``): adds
        ``log2FoldChange_shrunk`` and ``lfcSE_shrunk``; ``contrast`` should then select
        that column alone.

    Returns
    -------
    DataFrame
        ``baseMean``, ``log2FoldChange``, ``lfcSE``, ``stat``, ``pvalue``, ``padj``,
        ``maxCooks`` (and the shrunken columns), indexed by gene.
    """
    inference = inference or dds.inference
    stats = DeseqStats(
        dds,
        contrast=np.asarray(contrast, dtype=float),
        alpha=alpha,
        cooks_filter=False,
        independent_filter=False,
        inference=inference,
        quiet=True,
    )
    stats.summary()
    table = stats.results_df.copy()
    # R's standard errors use the fitted means thresholded at min_mu (fitBeta's final
    # weights); pydeseq2 uses the raw means, which inflates the SE of low-count genes.
    design = stats.design_matrix.to_numpy(dtype=float)
    mu = dds.obs["size_factors"].to_numpy()[:, None] * np.exp(design @ stats.LFC.to_numpy().T)
    pvalue, stat, se = inference.wald_test(
        design_matrix=design,
        disp=dds.var["dispersions"].to_numpy(),
        lfc=stats.LFC.to_numpy(),
        mu=np.maximum(mu, dds.min_mu),
        ridge_factor=np.diag(np.repeat(1e-6, design.shape[1])),
        contrast=np.asarray(contrast, dtype=float),
        lfc_null=np.zeros(design.shape[1]),
        alt_hypothesis=None,
    )
    table["lfcSE"] = np.asarray(se) / np.log(2)
    table["stat"] = np.asarray(stat)
    table["pvalue"] = np.asarray(pvalue)
    hat = np.full(dds.shape, np.nan)
    hat[:, dds.var["non_zero"].to_numpy()] = dds.obsm["_hat_diagonals"]
    max_cooks, outlier = r_cooks_outliers(dds, hat)
    table.loc[outlier, "pvalue"] = np.nan
    table["padj"], _ = pvalue_adjustment(
        table["pvalue"].to_numpy(), table["baseMean"].to_numpy(), alpha=alpha
    )
    table["maxCooks"] = max_cooks
    if shrink_coeff is not None:
        stats.lfc_shrink(coeff=shrink_coeff)
        table["log2FoldChange_shrunk"] = stats.results_df["log2FoldChange"]
        table["lfcSE_shrunk"] = stats.results_df["lfcSE"]
    return table


def interaction_wald(
    dds: DeseqDataSet,
    a: Level,
    b: Level,
    inference: Inference | None = None,
    alpha: float = 0.1,
    shrink: bool = False,
) -> pd.DataFrame:
    """Test the ``a x b`` interaction coefficient (Wald).

    The coefficient is the difference of the ``b`` effect between level ``a`` and the
    reference level of ``a[0]``.

    Parameters
    ----------
    dds : DeseqDataSet
        Fitted with an interaction design (see :func:`interaction_design`).
    a, b : tuple of str
        ``(factor, level)`` pairs, e.g. ``("genotype", "resistant")``,
        ``("treatment", "drug")``.
    inference : Inference, optional
        Back end.
    alpha : float
        FDR target of the independent filtering.
    shrink : bool
        Also apeGLM-shrink the interaction coefficient.

    Returns
    -------
    DataFrame
        See :func:`wald_r_style`; log2 fold changes are the interaction (log2 ratio of
        fold changes).
    """
    coeff = interaction_coefficient(dds, a, b)
    return wald_r_style(
        dds,
        contrast_vector(dds, {coeff: 1.0}),
        inference,
        alpha,
        shrink_coeff=coeff if shrink else None,
    )


def effect_within(
    dds: DeseqDataSet,
    effect: Level,
    within: Level,
    inference: Inference | None = None,
    alpha: float = 0.1,
) -> pd.DataFrame:
    """Test the ``effect`` (e.g. drug vs DMSO) within a non-reference level (Wald).

    Within a non-reference level of the other factor (e.g. the resistant line) the
    effect is the main effect plus the interaction.

    Parameters
    ----------
    dds : DeseqDataSet
        Fitted with an interaction design.
    effect, within : tuple of str
        ``(factor, level)`` pairs.
    inference : Inference, optional
        Back end.
    alpha : float
        FDR target of the independent filtering.

    Returns
    -------
    DataFrame
        See :func:`wald_r_style`.
    """
    main = f"{effect[0]}[T.{effect[1]}]"
    coeff = interaction_coefficient(dds, within, effect)
    return wald_r_style(dds, contrast_vector(dds, {main: 1.0, coeff: 1.0}), inference, alpha)
