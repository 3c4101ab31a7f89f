"""run_fits and write_summary end to end on a small simulated experiment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drugsig.concentration_response import benchmark_response, run_fits, write_summary
from drugsig.errors import InputError

DOSES = {"A": [0.01, 0.03, 0.1, 0.3, 1.0], "B": [0.1, 0.3, 1.0, 3.0, 10.0]}
EC50 = {"A": 0.1, "B": 1.0}
SETTINGS = {
    "enabled": True,
    "unit": "µM",
    "min_concentrations": 4,
    "fdr": 0.05,
    "benchmark_response": {"type": "sd", "value": 1.0},
    "min_viability": 0.8,
    "exclude_cytotoxic": True,
    "pathway_min_genes": 3,
    "pathway_min_fraction": 0.05,
    "nth_gene": 20,
    "bootstrap": 500,
    "seed": 1,
}


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    rng = np.random.default_rng(3)
    rows = [[f"v{i}", "DMSO", "L", "parental", "0", "24h"] for i in (1, 2, 3)]
    for drug, doses in DOSES.items():
        rows += [
            [f"{drug}_{d}_{r}", drug, "L", "parental", str(d), "24h"] for d in doses for r in (1, 2)
        ]
    samples = pd.DataFrame(
        rows, columns=["sample", "condition", "cell_line", "genotype", "dose", "time"]
    )
    samples = samples.set_index("sample", drop=False)
    n_resp, n_null = 30, 120
    top = rng.uniform(1.5, 3, n_resp) * rng.choice([-1, 1], n_resp)
    values = np.empty((n_resp + n_null, len(samples)))
    for j, (_, row) in enumerate(samples.iterrows()):
        c = float(row["dose"])
        ec50 = EC50.get(row["condition"], 1.0)
        effect = top * c**1.5 / (ec50**1.5 + c**1.5)
        values[:n_resp, j] = 8 + effect
        values[n_resp:, j] = 8
    values += rng.normal(0, 0.2, values.shape)
    genes = [f"G{i:03d}" for i in range(n_resp + n_null)]
    vst = pd.DataFrame(values, columns=samples.index)
    vst.insert(0, "gene_name", [f"gene{i}" for i in range(len(genes))])
    vst.insert(0, "gene_id", genes)
    folder = tmp_path_factory.mktemp("cr")
    vst.to_csv(folder / "vst.tsv", sep="\t", index=False)
    fits = {"cell_line": ["L", "L"], "drug": ["A", "B"], "ic50_um": [2.0, 100.0]}
    fits |= {"hill_slope": [1.0, 1.0], "top": [100.0, 100.0], "bottom": [0.0, 0.0]}
    pd.DataFrame(fits).to_csv(folder / "fits.tsv", sep="\t", index=False)
    return folder, samples


def _run(folder, samples, lrt=None, **changes):
    out = folder / ("lrt" if lrt else "fallback")
    out.mkdir(exist_ok=True)
    settings = {**SETTINGS, **changes}
    with pytest.warns(UserWarning, match="modelled viability below 0.8 left out: A_1.0_1, A_1.0_2"):
        run_fits(samples, folder / "vst.tsv", settings, "DMSO", "genotype", out / "genes.tsv",
                 out / "series.tsv", out / "samples.tsv", lrt_index=lrt,
                 viability_fits=folder / "fits.tsv")  # fmt: skip
    return out


def test_fits_summary_and_potency(experiment):
    folder, samples = experiment
    out = _run(folder, samples)
    genes = pd.read_csv(out / "genes.tsv", sep="\t")
    series = pd.read_csv(out / "series.tsv", sep="\t")
    assert series["trend_test"].tolist() == ["quadratic trend (fallback)"] * 2
    assert series["n_cytotoxic_excluded"].tolist() == [2, 0]
    assert series["bmr"].tolist() == ["1 SD (vehicle)"] * 2
    used = pd.read_csv(out / "samples.tsv", sep="\t").set_index("sample")
    assert not used.loc["A_1.0_1", "used"] and used.loc["A_1.0_1", "cytotoxic"]
    responsive = genes[genes["gene_id"] < "G030"]
    assert len(responsive) >= 45
    assert (genes["gene_id"] >= "G030").sum() <= 3
    outputs = {
        name: str(out / f"{name}.tsv") for name in ("pathways", "tpod", "potency", "accumulation")
    }
    for name in ("curves", "accumulation", "potency", "selectivity"):
        outputs |= {
            f"{name}_png": str(out / f"{name}.png"),
            f"{name}_svg": str(out / f"{name}.svg"),
        }
    for name in ("tpod", "potency", "series", "curves", "accumulation"):
        outputs[f"mqc_{name}"] = str(out / f"{name}_mqc.json")
    sets = {"first": [f"GENE{i}" for i in range(10)], "second": [f"gene{i}" for i in range(10, 30)]}
    tables = [out / "genes.tsv", out / "series.tsv", out / "samples.tsv", folder / "vst.tsv"]
    write_summary(*tables, sets, folder / "fits.tsv", SETTINGS, {}, ["DMSO", "A", "B"], outputs)
    potency = pd.read_csv(outputs["potency"], sep="\t")
    (row,) = potency.itertuples()
    assert (row.drug, row.reference_drug) == ("B", "A")
    # B is 10x less potent than A: BMC_A / BMC_B ~ 0.1
    assert row.ci_low <= 0.1 <= row.ci_high or abs(np.log10(row.ratio) + 1) < 0.2
    tpod = pd.read_csv(outputs["tpod"], sep="\t")
    assert tpod["drug"].tolist() == ["A", "B"]
    assert set(tpod["tpod_gene_set"]) <= {"first", "second"}
    expected = np.log10(tpod["ic50"] / tpod["tpod"])
    assert np.allclose(tpod["selectivity_log10"], expected)
    assert (out / "curves.svg").stat().st_size > 0


def test_lrt_genes_are_used_when_the_index_matches(experiment):
    folder, samples = experiment
    lrt = folder / "lrt_tables"
    lrt.mkdir()
    pd.DataFrame(
        {"series": ["L_A"], "factor": ["dose"], "cell_line": ["L"], "genotype": ["parental"],
         "drug": ["A"], "time": ["24h"]}
    ).to_csv(lrt / "series.tsv", sep="\t", index=False)  # fmt: skip
    pd.DataFrame({"gene_id": ["G000", "G001", "G100"], "padj": [0.001, 0.01, 0.5]}).to_csv(
        lrt / "L_A.tsv", sep="\t", index=False
    )
    out = _run(folder, samples, lrt=lrt / "series.tsv")
    series = pd.read_csv(out / "series.tsv", sep="\t")
    assert series["trend_test"].tolist() == ["DESeq2 LRT", "quadratic trend (fallback)"]
    genes = pd.read_csv(out / "genes.tsv", sep="\t")
    assert sorted(genes.loc[genes["drug"] == "A", "gene_id"]) == ["G000", "G001"]
    assert sorted(genes.loc[genes["drug"] == "A", "trend_padj"]) == [0.001, 0.01]


def test_benchmark_response_options():
    assert benchmark_response({"type": "sd", "value": 1.0}, 3)[1] == "1 SD (vehicle)"
    assert benchmark_response({"type": "sd", "value": 1.0}, 2)[1] == "1 SD (residual)"
    bmr, label = benchmark_response({"type": "fold_change", "value": 1.0}, 2)
    assert (bmr.kind, bmr.fold, label) == ("fold", 2.0, "|log2FC| 1")
    with pytest.raises(InputError, match="must be sd or fold_change"):
        benchmark_response({"type": "ratio", "value": 1.0}, 3)


def test_no_series_gives_empty_tables_and_message_plots(experiment, tmp_path):
    folder, samples = experiment
    no_dose = samples.drop(columns="dose")
    run_fits(no_dose, folder / "vst.tsv", SETTINGS, "DMSO", "genotype", tmp_path / "genes.tsv",
             tmp_path / "series.tsv", tmp_path / "samples.tsv")  # fmt: skip
    outputs = {name: str(tmp_path / f"{name}.tsv") for name in ("pathways", "tpod", "potency")}
    outputs["accumulation"] = str(tmp_path / "accumulation.tsv")
    for name in ("curves", "accumulation", "potency", "selectivity"):
        for suffix in ("png", "svg"):
            outputs[f"{name}_{suffix}"] = str(tmp_path / f"{name}.{suffix}")
    for name in ("tpod", "potency", "series", "curves", "accumulation"):
        outputs[f"mqc_{name}"] = str(tmp_path / f"{name}_mqc.json")
    tables = [tmp_path / "genes.tsv", tmp_path / "series.tsv", tmp_path / "samples.tsv"]
    write_summary(*tables, folder / "vst.tsv", {}, None, SETTINGS, {}, ["DMSO"], outputs)
    assert pd.read_csv(outputs["tpod"], sep="\t").empty
    assert (tmp_path / "curves.png").stat().st_size > 0
