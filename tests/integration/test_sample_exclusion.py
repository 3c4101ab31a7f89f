"""Samples excluded by the samples sheet's ``exclude`` column, in counts mode (fast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import run_snakemake

pytestmark = pytest.mark.integration

SAMPLES = {
    "DMSO_1": "DMSO",
    "DMSO_2": "DMSO",
    "DMSO_3": "DMSO",
    "drugA_1": "drugA",
    "drugA_2": "drugA",
    "drugA_3": "drugA",
}
EXCLUDED = {"drugA_3": "RIN 4.1, degraded"}


def write_project(root: Path, extra_columns: str | None) -> None:
    """Counts-mode project: a matrix with every sample plus an unknown column ``junk``."""
    rng = np.random.default_rng(0)
    (root / "config").mkdir(parents=True)
    sheet = pd.DataFrame(
        {
            "sample": list(SAMPLES),
            "condition": list(SAMPLES.values()),
            "exclude": [EXCLUDED.get(sample, "") for sample in SAMPLES],
        }
    )
    sheet.to_csv(root / "config" / "samples.tsv", sep="\t", index=False)
    matrix = pd.DataFrame(rng.poisson(200, (60, len(SAMPLES) + 1)), columns=[*SAMPLES, "junk"])
    matrix.insert(0, "gene_id", [f"G{i:03d}" for i in range(60)])
    matrix.to_csv(root / "counts.tsv", sep="\t", index=False)
    config = {
        "samples": "config/samples.tsv",
        "counts": "counts.tsv",
        "diffexp": {"vehicle": "DMSO", "shrink": False},
    }
    if extra_columns is not None:
        config["counts_extra_columns"] = extra_columns
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config))


def test_extra_matrix_column_is_an_error_by_default(tmp_path):
    write_project(tmp_path, None)
    result = run_snakemake(tmp_path, "-n", check=False)
    assert result.returncode != 0
    assert "junk" in result.stderr
    # the excluded sample's column is not the problem
    assert "Columns without a sample: junk." in result.stderr


def test_excluded_sample_is_left_out_of_de(tmp_path):
    write_project(tmp_path, "ignore")
    result = run_snakemake(
        tmp_path,
        "--cores",
        "2",
        "results/de/contrasts.tsv",
        "results/multiqc/custom/excluded_samples_mqc.html",
    )
    assert "drugA_3: RIN 4.1, degraded" in result.stderr
    counts = pd.read_csv(tmp_path / "results" / "counts" / "counts.tsv", sep="\t")
    assert list(counts.columns) == ["gene_id", "gene_name", *[s for s in SAMPLES if s != "drugA_3"]]
    contrasts = pd.read_csv(tmp_path / "results" / "de" / "contrasts.tsv", sep="\t")
    assert contrasts["treatment_samples"].tolist() == ["drugA_1,drugA_2"]
    assert contrasts["n_reference"].tolist() == [3]
    report = (tmp_path / "results/multiqc/custom/excluded_samples_mqc.html").read_text()
    assert "drugA_3" in report and "RIN 4.1, degraded" in report
