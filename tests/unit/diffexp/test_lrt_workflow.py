"""Workflow side of the LRT and of interaction contrasts, on small simulations (no R)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lrt_simulations import simulate_dose_batch, simulate_interaction
from scipy.stats import spearmanr
from unit_shared import diffexp_config

from drugsig.analysis.dose_response import LRTSeries, lrt_series, series_name
from drugsig.diffexp.deseq import differential_expression
from drugsig.diffexp.inference import VectorizedInference
from drugsig.diffexp.interaction import interaction_wald
from drugsig.diffexp.lrt import LRT_COLUMNS, series_lrt, write_lrt
from drugsig.errors import InputError
from drugsig.inputs.design import build_contrasts
from drugsig.tables import LRT_INDEX_COLUMNS, read_de_table, read_lrt_index

INFERENCE = VectorizedInference(n_cpus=1)


def counts_table(counts: pd.DataFrame) -> pd.DataFrame:
    table = counts.T.rename_axis("gene_id").reset_index()
    table.insert(1, "gene_name", table["gene_id"].str.upper())
    return table


def dose_sheet(metadata: pd.DataFrame) -> pd.DataFrame:
    """Samples sheet of the dose simulation: d0 is the vehicle, batch the replicate."""
    dose = metadata["dose"].astype(str)
    sheet = pd.DataFrame(
        {
            "sample": metadata.index,
            "condition": np.where(dose == "d0", "DMSO", "Drug"),
            "cell_line": "L",
            "genotype": "parental",
            "dose": dose.str[1:].to_numpy(),
            "time": "24h",
            "batch": metadata["batch"].astype(str).to_numpy(),
        },
        dtype=object,
    )
    return sheet.set_index("sample", drop=False)


@pytest.fixture(scope="module")
def dose_data():
    counts, metadata, truth = simulate_dose_batch(n_genes=600, n_de=60, seed=11)
    return counts_table(counts), dose_sheet(metadata), truth


def test_lrt_series_of_a_sheet(dose_data):
    _, sheet, _ = dose_data
    cfg = diffexp_config()
    found = lrt_series(sheet, build_contrasts(sheet, cfg), cfg)
    assert [one.name for one in found] == ["L_parental_Drug_24h_dose"]
    assert found[0].levels == ["0", "1", "2", "3", "4"]
    assert len(found[0].samples) == 15
    assert found[0].name == series_name(found[0].keys, "dose")
    # four levels needed: the vehicle and three doses still qualify; five do not
    assert lrt_series(sheet, build_contrasts(sheet, cfg), cfg, min_levels=6) == []


def test_series_lrt_with_blocking_covariate_recovers_planted_genes(dose_data):
    counts, sheet, truth = dose_data
    cfg = diffexp_config(covariates=["batch"])
    (one,) = lrt_series(sheet, build_contrasts(sheet, cfg), cfg)
    table = series_lrt(counts, sheet, one, cfg, INFERENCE)
    assert list(table.columns) == LRT_COLUMNS
    assert (table["df"] == 4).all()
    assert table["padj"].is_monotonic_increasing or table["padj"].isna().any()
    planted = set(counts["gene_id"][truth])
    called = set(table.loc[table["padj"] < 0.05, "gene_id"])
    assert len(called & planted) / len(planted) > 0.6
    assert len(called - planted) / max(len(called), 1) < 0.25


def test_series_lrt_refuses_a_covariate_confounded_with_the_doses(dose_data):
    counts, sheet, _ = dose_data
    sheet = sheet.assign(plate=sheet["dose"])  # one plate per dose
    cfg = diffexp_config(covariates=["plate"])
    (one,) = lrt_series(sheet, build_contrasts(sheet, diffexp_config()), cfg)
    with pytest.raises(InputError) as error:
        series_lrt(counts, sheet, one, cfg, INFERENCE)
    assert str(error.value) == (
        "LRT of series L_parental_Drug_24h_dose: the covariates plate (diffexp.covariates) "
        "are confounded with its dose levels on its samples, so the model cannot be "
        "fitted. Remove them, add samples that separate them, or set diffexp.lrt: false."
    )


def test_write_lrt_index(tmp_path, dose_data):
    counts, sheet, _ = dose_data
    counts.to_csv(tmp_path / "counts.tsv", sep="\t", index=False)
    sheet.to_csv(tmp_path / "samples.tsv", sep="\t", index=False)
    cfg = diffexp_config()
    table = tmp_path / "lrt" / "L_parental_Drug_24h_dose.tsv"
    write_lrt(
        tmp_path / "counts.tsv",
        tmp_path / "samples.tsv",
        cfg,
        [table],
        tmp_path / "lrt" / "series.tsv",
        INFERENCE,
        mqc=tmp_path / "lrt_mqc.tsv",
    )
    index = read_lrt_index(tmp_path / "lrt" / "series.tsv")
    assert list(index.columns) == LRT_INDEX_COLUMNS
    row = index.iloc[0]
    assert (row["factor"], row["drug"], row["time"], row["levels"]) == (
        "dose",
        "Drug",
        "24h",
        "0;1;2;3;4",
    )
    assert row["n_samples"] == 15
    assert row["n_significant"] == (read_de_table(table)["padj"] < 0.05).sum() > 0
    assert "n_significant" in (tmp_path / "lrt_mqc.tsv").read_text()
    # diffexp.lrt false: no series, the index holds its header
    write_lrt(
        tmp_path / "counts.tsv",
        tmp_path / "samples.tsv",
        diffexp_config(lrt=False),
        [],
        tmp_path / "none.tsv",
        INFERENCE,
    )
    assert read_lrt_index(tmp_path / "none.tsv").empty


def test_interaction_contrast_only_interaction_non_null():
    """genotype x treatment: only the interaction is planted; the contrast finds it."""
    counts, metadata, truth = simulate_interaction(
        n_genes=600, n_interaction=60, seed=7, levels=("parental", "R"), treatments=("DMSO", "Drug")
    )
    sheet = pd.DataFrame(
        {
            "sample": metadata.index,
            "condition": metadata["treatment"].astype(str).to_numpy(),
            "cell_line": "L",
            "genotype": metadata["genotype"].astype(str).to_numpy(),
        },
        dtype=object,
    ).set_index("sample", drop=False)
    cfg = diffexp_config()
    contrasts = build_contrasts(sheet, cfg)
    kinds = {contrast.name: contrast.kind for contrast in contrasts}
    assert kinds["Drug_R_vs_parental_interaction"] == "interaction"
    assert "Drug_R_vs_parental_interaction" not in {
        c.name for c in build_contrasts(sheet, diffexp_config(interactions=False))
    }
    result = differential_expression(counts_table(counts), sheet, contrasts, cfg, INFERENCE)
    row = result.contrasts.set_index("name").loc["Drug_R_vs_parental_interaction"]
    assert (row["kind"], row["column"], row["treatment"], row["reference"]) == (
        "interaction",
        "genotype",
        "R",
        "parental",
    )
    assert (row["n_treatment"], row["n_reference"]) == (6, 6)
    planted = set(counts.columns[truth])

    def called(name: str) -> set[str]:
        table = result.tables[name]
        return set(table.loc[table["padj"] < 0.05, "gene_id"])

    hits = called("Drug_R_vs_parental_interaction")
    assert len(hits & planted) / len(planted) > 0.6
    assert len(hits - planted) / max(len(hits), 1) < 0.2
    # the drug effect in the parental line is null
    assert len(called("Drug_vs_DMSO")) <= 0.05 * len(result.tables["Drug_vs_DMSO"])
    # the group-means contrast equals the interaction coefficient of ~genotype*treatment
    from pydeseq2.dds import DeseqDataSet

    keep = result.tables["Drug_R_vs_parental_interaction"].set_index("gene_id")
    dds = DeseqDataSet(
        counts=counts[keep.index],
        metadata=metadata,
        design="~genotype + treatment + genotype:treatment",
        inference=INFERENCE,
        quiet=True,
    )
    dds.deseq2()
    wald = interaction_wald(dds, ("genotype", "R"), ("treatment", "Drug"), inference=INFERENCE)
    np.testing.assert_allclose(
        keep["log2FoldChange"], wald.loc[keep.index, "log2FoldChange"], atol=1e-3
    )


def test_time_interaction_contrasts_are_built():
    rows = [
        (f"{cond}_{time}_{rep}", cond, time)
        for cond in ("DMSO", "Drug")
        for time in ("6h", "24h", "48h")
        for rep in (1, 2)
    ]
    sheet = pd.DataFrame(rows, columns=["sample", "condition", "time"], dtype=object)
    sheet = sheet.set_index("sample", drop=False)
    names = [c.name for c in build_contrasts(sheet, diffexp_config()) if c.kind == "interaction"]
    assert names == ["Drug_24h_vs_6h_interaction", "Drug_48h_vs_6h_interaction"]


KIDNEY = next(
    (
        path
        for path in (
            Path("/work/shared/data/zhou_kidney_pce"),
            Path(__file__).resolve().parents[4] / "shared" / "data" / "zhou_kidney_pce",
        )
        if path.is_dir()
    ),
    None,
)
R_NUMBERS = Path(__file__).parent / "data"


@pytest.mark.skipif(KIDNEY is None, reason="real data absent (zhou_kidney_pce)")
def test_kidney_series_lrt_against_stored_r_numbers():
    """The workflow's per-series LRT on the kidney concentration series vs R DESeq2."""
    counts = pd.read_csv(KIDNEY / "counts.csv.gz", index_col=0)
    samples = pd.read_csv(KIDNEY / "samples.csv", index_col=0)
    order = [f"d{dose:g}" for dose in sorted(samples["dose"].unique())]
    levels = samples["dose"].map(lambda dose: f"d{dose:g}")
    series = LRTSeries(
        name="kidney_dose",
        factor="dose",
        keys={"cell_line": "kidney", "genotype": "", "drug": "PCE", "time": ""},
        levels=order,
        samples=dict(zip(samples.index, levels, strict=True)),
    )
    table = counts.rename_axis("gene_id").reset_index()
    table.insert(1, "gene_name", table["gene_id"])
    result = series_lrt(
        table,
        pd.DataFrame(index=samples.index),
        series,
        diffexp_config(min_count=0),
        INFERENCE,
    ).set_index("gene_id")
    r = pd.read_csv(R_NUMBERS / "kidney_lrt_r.tsv", sep="\t", comment="#", index_col=0)
    rho = spearmanr(result.loc[r.index, "stat"], r["stat"]).statistic
    assert rho > 0.99
    np.testing.assert_allclose(result.loc[r.index, "stat"], r["stat"], rtol=0.6)
    r_called = set((R_NUMBERS / "kidney_lrt_r_called.txt").read_text().split())
    called = set(result.index[result["padj"] < 0.05])
    assert len(called & r_called) / len(called | r_called) > 0.93  # 0.95 measured
