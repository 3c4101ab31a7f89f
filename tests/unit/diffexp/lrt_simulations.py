"""Small negative binomial count simulations for the LRT and interaction checks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

_SCRIPTS = "/work/main/workflow/scripts"


def _nb(rng: np.random.Generator, mu: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """NB(mu, alpha) draws as a gamma-Poisson mixture; ``mu`` is ``(samples, genes)``."""
    shape = 1.0 / alpha
    return rng.poisson(rng.gamma(shape[None, :], mu * alpha[None, :]))


def base_parameters(rng: np.random.Generator, n_genes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gene base means (log-normal) and dispersions on a DESeq2-like trend.

    Returns
    -------
    base, alpha : ndarray
        ``(n_genes,)`` mean expression and dispersion.
    """
    base = np.exp(rng.normal(np.log(200.0), 1.6, n_genes))
    trend = 0.04 + 2.0 / base
    alpha = trend * np.exp(rng.normal(0.0, 0.5, n_genes))
    return base, alpha


def simulate_dose_batch(
    n_genes: int = 2000,
    n_doses: int = 5,
    n_reps: int = 3,
    n_de: int = 200,
    with_batch: bool = True,
    effect_sd: float = 1.0,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Counts for ``~ batch + dose`` (dose a factor); the first ``n_de`` genes respond.

    Batch: replicate ``r`` of every dose is in batch ``b{r}`` (each batch has a random
    gene-wise effect, sd 0.5 natural log). Responding genes get a monotone
    (Emax-like) response with a random sign and size ``|N(0, effect_sd)| + 0.5``.

    Returns
    -------
    counts : DataFrame
        ``samples x genes`` integer counts.
    metadata : DataFrame
        ``dose`` (categorical ``d0`` reference ... ) and ``batch`` per sample.
    truth : ndarray
        ``(n_genes,)`` True for responding genes.
    """
    rng = np.random.default_rng(seed)
    base, alpha = base_parameters(rng, n_genes)
    doses = [f"d{i}" for i in range(n_doses)]
    samples = [f"{d}_r{r + 1}" for d in doses for r in range(n_reps)]
    dose = np.repeat(np.arange(n_doses), n_reps)
    batch = np.tile(np.arange(n_reps), n_doses)
    size_factors = np.exp(rng.normal(0.0, 0.2, len(samples)))
    log_mu = np.log(base)[None, :] + np.log(size_factors)[:, None]
    if with_batch:
        log_mu += rng.normal(0.0, 0.5, (n_reps, n_genes))[batch]
    effect = (np.abs(rng.normal(0.0, effect_sd, n_de)) + 0.5) * rng.choice([-1.0, 1.0], n_de)
    shape = dose / (dose + 1.0)  # 0, 0.5, 0.67, 0.75, ...
    shape = shape / shape.max() if shape.max() > 0 else shape
    log_mu[:, :n_de] += shape[:, None] * effect[None, :]
    counts = _nb(rng, np.exp(log_mu), alpha)
    genes = [f"g{i:05d}" for i in range(n_genes)]
    metadata = pd.DataFrame(
        {
            "dose": pd.Categorical([doses[i] for i in dose], categories=doses),
            "batch": pd.Categorical([f"b{i + 1}" for i in batch]),
        },
        index=samples,
    )
    truth = np.zeros(n_genes, dtype=bool)
    truth[:n_de] = True
    return pd.DataFrame(counts, index=samples, columns=genes), metadata, truth


def simulate_interaction(
    n_genes: int = 2000,
    n_reps: int = 3,
    n_interaction: int = 200,
    lfc: float = 1.5,
    seed: int = 0,
    levels: Sequence[str] = ("parental", "resistant"),
    treatments: Sequence[str] = ("DMSO", "drug"),
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Genotype x treatment counts where ONLY the interaction is non-null.

    Genotype and treatment main effects are zero for every gene; the first
    ``n_interaction`` genes respond to the drug in the resistant line only
    (natural-log effect ``+-lfc * log(2)``, i.e. ``lfc`` on the log2 scale).

    Returns
    -------
    counts : DataFrame
        ``samples x genes`` counts.
    metadata : DataFrame
        ``genotype`` (reference ``levels[0]``) and ``treatment`` (reference
        ``treatments[0]``), both categorical.
    truth : ndarray
        ``(n_genes,)`` True for genes with an interaction.
    """
    rng = np.random.default_rng(seed)
    base, alpha = base_parameters(rng, n_genes)
    rows = [(g, t, r) for g in levels for t in treatments for r in range(n_reps)]
    samples = [f"{g}_{t}_r{r + 1}" for g, t, r in rows]
    genotype = np.array([g == levels[1] for g, _, _ in rows])
    treated = np.array([t == treatments[1] for _, t, _ in rows])
    size_factors = np.exp(rng.normal(0.0, 0.2, len(samples)))
    log_mu = np.log(base)[None, :] + np.log(size_factors)[:, None]
    effect = lfc * np.log(2.0) * rng.choice([-1.0, 1.0], n_interaction)
    log_mu[:, :n_interaction] += (genotype & treated)[:, None] * effect[None, :]
    counts = _nb(rng, np.exp(log_mu), alpha)
    genes = [f"g{i:05d}" for i in range(n_genes)]
    metadata = pd.DataFrame(
        {
            "genotype": pd.Categorical([g for g, _, _ in rows], categories=list(levels)),
            "treatment": pd.Categorical([t for _, t, _ in rows], categories=list(treatments)),
        },
        index=samples,
    )
    truth = np.zeros(n_genes, dtype=bool)
    truth[:n_interaction] = True
    return pd.DataFrame(counts, index=samples, columns=genes), metadata, truth
