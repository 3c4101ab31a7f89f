"""Models, BMC/BMCL/BMCU, flags, trend test, pathways, potency and cytotoxicity on simulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drugsig.concentration_response import (
    BMR,
    fit_concentration_response,
    flag_cytotoxic,
    pathway_bmc,
    potency_ratio,
    selectivity,
    tpod,
    trend_test,
    viability,
)
from drugsig.errors import InputError

CONC = np.repeat([0.0, 0.1, 0.3, 1.0, 3.0, 10.0], 3)
FOLD = BMR(kind="fold", fold=1.5)
DELTA = np.log2(1.5)


def _hill_genes(n_genes: int, seed: int, sigma: float = 0.25, shift: float = 1.0):
    rng = np.random.default_rng(seed)
    k = np.exp(rng.uniform(np.log(0.2), np.log(5), n_genes)) * shift
    n = rng.uniform(1, 4, n_genes)
    amp = rng.choice([-1, 1], n_genes) * rng.uniform(1, 3, n_genes)
    c = CONC[None, :]
    mu = 8 + amp[:, None] * c ** n[:, None] / (k[:, None] ** n[:, None] + c ** n[:, None])
    y = mu + rng.normal(0, sigma, mu.shape)
    h = DELTA / np.abs(amp)
    true_bmc = k * (h / (1 - h)) ** (1 / n)
    idx = [f"g{i}" for i in range(n_genes)]
    return pd.DataFrame(y, index=idx), pd.Series(true_bmc, index=idx), pd.Series(k, index=idx)


def test_bmc_recovery_hill_within_2x():
    expr, true_bmc, _ = _hill_genes(300, seed=1)
    res = fit_concentration_response(expr, CONC, bmr=FOLD)
    ratio = res["bmc"] / true_bmc
    assert np.mean((ratio > 0.5) & (ratio < 2)) >= 0.90


def test_interval_coverage_95():
    expr, true_bmc, _ = _hill_genes(300, seed=2)
    res = fit_concentration_response(expr, CONC, models=("const", "hill"), bmr=FOLD, ci_level=0.95)
    covered = (res["bmcl"] <= true_bmc) & (res["bmcu"].fillna(np.inf) >= true_bmc)
    assert covered.mean() >= 0.90


def test_ec50_reported_for_hill():
    expr, _, k = _hill_genes(100, seed=3, sigma=0.1)
    res = fit_concentration_response(expr, CONC, models=("const", "hill"), bmr=FOLD)
    r = res["ec50"] / k
    assert np.median(np.abs(np.log(r))) < np.log(1.5)


def _planted(kind: str, seed: int = 0, reps: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    c = CONC
    if kind == "exp":  # accelerating exponential
        mu = 6 + 0.05 * np.expm1(0.5 * c) / 0.5
    elif kind == "bell":  # rises then falls back within the range
        mu = 6 + 0.8 * c - 0.08 * c**2
    elif kind == "flat":
        mu = np.full(c.size, 6.0)
    elif kind == "late":  # small effect that stays below the BMR in range
        mu = 6 + 0.05 * c
    elif kind == "early":  # saturates below the lowest tested concentration
        mu = 6 + 2 * c / (0.005 + c)
    else:
        raise KeyError(kind)
    y = mu[None, :] + rng.normal(0, 0.05, (reps, c.size))
    return pd.DataFrame(y, index=[f"{kind}{i}" for i in range(reps)])


CONC8 = np.repeat([0.0, 0.5, 1, 2, 3, 4, 6, 8, 10], 3)


def test_model_choice_exponential_and_non_monotone():
    # exponential vs power (c^g) are near-identical on 5 levels; plant it on 8 levels
    rng = np.random.default_rng(0)
    mu = 6 + 4 * np.expm1(0.4 * CONC8) / np.expm1(4.0)
    expo = pd.DataFrame(
        mu + rng.normal(0, 0.05, (5, CONC8.size)), index=[f"exp{i}" for i in range(5)]
    )
    res_exp = fit_concentration_response(expo, CONC8, bmr=FOLD)
    assert (res_exp["model"] == "exp").all()
    res = fit_concentration_response(_planted("bell"), CONC, bmr=FOLD)
    bell = res.loc[res.index.str.startswith("bell")]
    assert (bell["model"] == "quadratic").all()
    assert bell["flag"].str.contains("non_monotone").all()


def test_flags_out_of_range_and_flat():
    expr = pd.concat([_planted("flat"), _planted("late"), _planted("early")])
    res = fit_concentration_response(expr, CONC, bmr=FOLD)
    flat = res.loc[res.index.str.startswith("flat")]
    # noise genes: the constant model usually wins ("flat"); if AICc picks a trend by
    # chance, the BMR is still not reached, so no BMC is ever reported
    assert flat["flag"].str.contains("flat|bmc_above_range").all() and flat["bmc"].isna().all()
    assert flat["flag"].str.contains("flat").any()
    late = res.loc[res.index.str.startswith("late")]
    assert late["flag"].str.contains("bmc_above_range").all() and late["bmc"].isna().all()
    early = res.loc[res.index.str.startswith("early")]
    assert early["flag"].str.contains("bmc_below_lowest").all()
    assert (early["bmc"] < 0.1).all()


def test_default_bmr_is_one_vehicle_sd():
    expr = _planted("exp")
    res = fit_concentration_response(expr, CONC)
    sd = expr.loc[:, CONC == 0].std(axis=1, ddof=1)
    assert np.allclose(res["bmr_delta"], sd)


@pytest.mark.parametrize(
    "conc, message",
    [
        (
            np.repeat([0.0, 1.0, 2.0, 3.0, 3.0, 3.0], 3),
            "need at least 4 distinct non-zero concentrations plus vehicle; got 3 (1, 2, 3)",
        ),
        (
            np.repeat([0.5, 0.1, 0.3, 1.0, 3.0, 10.0], 3),
            "missing vehicle: the series needs at least one vehicle (concentration 0) sample",
        ),
        (
            np.array(["0", "x"] + ["1"] * 16, dtype=object),
            "concentrations must be numeric and non-missing; got ['x']",
        ),
        (
            np.repeat([0.0, -0.1, 0.3, 1.0, 3.0, 10.0], 3),
            "concentrations must be >= 0; got negative values -0.1",
        ),
    ],
)
def test_bad_input_raises(conc, message):
    expr = _planted("exp")
    with pytest.raises(InputError) as error:
        fit_concentration_response(expr, conc)
    assert str(error.value) == message


def test_unknown_gene_and_length_mismatch():
    expr = _planted("exp")
    with pytest.raises(ValueError, match="not in the expression"):
        fit_concentration_response(expr, CONC, genes=["nope"])
    with pytest.raises(ValueError, match="expression columns"):
        fit_concentration_response(expr, CONC[:-1])


def test_trend_test_finds_responders():
    expr, _, _ = _hill_genes(50, seed=4)
    rng = np.random.default_rng(5)
    null = pd.DataFrame(
        8 + rng.normal(0, 0.25, (200, CONC.size)), index=[f"n{i}" for i in range(200)]
    )
    tt = trend_test(pd.concat([expr, null]), CONC, fdr=0.05)
    assert tt.loc[expr.index, "responsive"].mean() > 0.8
    assert tt.loc[null.index, "responsive"].mean() < 0.05


def test_potency_ratio_recovers_shift():
    a, _, _ = _hill_genes(120, seed=6, sigma=0.1)
    b, _, _ = _hill_genes(120, seed=6, sigma=0.1, shift=4.0)  # same genes, 4x less potent
    ra = fit_concentration_response(a, CONC, bmr=FOLD)
    rb = fit_concentration_response(b, CONC, bmr=FOLD)
    p = potency_ratio(ra, rb, n_boot=500)
    assert p["ci_low"] <= 4.0 <= p["ci_high"] or abs(np.log(p["ratio"] / 4)) < np.log(1.3)
    assert p["ratio"] > 2.5


def test_pathways_and_tpod():
    expr, _, _ = _hill_genes(60, seed=7)
    res = fit_concentration_response(expr, CONC, bmr=FOLD)
    sets = {
        "A": [f"g{i}" for i in range(10)],
        "tiny": ["g1", "g2"],
        "B": [f"g{i}" for i in range(10, 60)],
    }
    pw = pathway_bmc(res, sets)
    assert "tiny" not in set(pw["gene_set"])
    assert pw["bmc_median"].is_monotonic_increasing
    t = tpod(res, pw)
    assert t["tpod_pathway"] == pw["bmc_median"].iloc[0]
    assert t["tpod_gene20"] == np.sort(res["bmc"].dropna())[19] or np.isfinite(t["tpod_gene20"])


def test_cytotox():
    assert viability(0, ic50=10) == pytest.approx(100)
    assert viability(10, ic50=10) == pytest.approx(50)
    assert selectivity(100, 1) == pytest.approx(2)
    s = pd.DataFrame({"cell_line": ["c"] * 3, "drug": ["d"] * 3, "concentration": [0, 1, 30]})
    ic = pd.DataFrame({"cell_line": ["c"], "drug": ["d"], "ic50": [10.0], "hill": [1.0]})
    out = flag_cytotoxic(s, ic)
    assert out["cytotoxic"].tolist() == [False, False, True]
