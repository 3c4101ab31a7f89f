"""Concentration response on real data: Zhou et al. kidney PCE (DRomics' RNA-seq example).

Needs ``../shared/data/zhou_kidney_pce/counts.csv.gz`` and ``samples.csv`` next to the
repository (skipped when absent): mouse kidney, perchloroethylene at 0, 0.22, 0.67, 2
and 6 (2-3 replicates). Counts with >= 10 reads go through the workflow's VST and
:func:`drugsig.concentration_response.run_fits` with the default settings (the
fallback trend test, as there is no LRT here; with 2 vehicle replicates the BMR is one
residual SD). Cyp4a14 (NM_007822), a classic PPARalpha target induced by PCE, must be
responsive with a BMC inside the tested range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from drugsig.concentration_response import run_fits
from drugsig.report.plots.samples import variance_stabilise

DATA = REPO.parent / "shared" / "data" / "zhou_kidney_pce"
COUNTS = DATA / "counts.csv.gz"
CYP4A14 = "NM_007822"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        not COUNTS.is_file(),
        reason=f"real data absent: {COUNTS} (../shared/data/zhou_kidney_pce next to the repo)",
    ),
]

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
    "seed": 42,
}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    counts = pd.read_csv(COUNTS, index_col=0)
    counts = counts[counts.sum(axis=1) >= 10]
    doses = pd.read_csv(DATA / "samples.csv", index_col=0).loc[counts.columns, "dose"]
    table = counts.reset_index().rename(columns={counts.index.name or "index": "gene_id"})
    table.insert(1, "gene_name", table["gene_id"])
    out = tmp_path_factory.mktemp("kidney")
    variance_stabilise(table, list(counts.columns)).to_csv(out / "vst.tsv", sep="\t", index=False)
    samples = pd.DataFrame(
        {
            "sample": counts.columns,
            "condition": ["vehicle" if dose == 0 else "PCE" for dose in doses],
            "dose": [f"{dose:g}" for dose in doses],
        }
    ).set_index("sample", drop=False)
    run_fits(samples, out / "vst.tsv", SETTINGS, "vehicle", "genotype", out / "genes.tsv",
             out / "series.tsv", out / "samples.tsv")  # fmt: skip
    genes = pd.read_csv(out / "genes.tsv", sep="\t").set_index("gene_id")
    series = pd.read_csv(out / "series.tsv", sep="\t")
    return genes, series, doses


def test_one_series_with_the_residual_sd_bmr(fitted):
    _, series, _ = fitted
    (row,) = series.itertuples()
    assert row.status == "modelled"
    assert row.bmr == "1 SD (residual)"  # only 2 vehicle replicates
    assert row.n_responsive > 100


def test_cyp4a14_is_responsive_with_a_bmc_in_the_tested_range(fitted):
    genes, _, doses = fitted
    assert CYP4A14 in genes.index
    row = genes.loc[CYP4A14]
    tested = doses[doses > 0]
    assert row["direction"] == "up"
    assert tested.min() <= row["bmc"] <= tested.max()
    assert np.isfinite(row["bmcl"]) and row["bmcl"] <= row["bmc"]
    assert "bmc_above_range" not in str(row["flags"])
