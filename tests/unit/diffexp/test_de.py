from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from pydeseq2.default_inference import DefaultInference
from pydeseq2.preprocessing import deseq2_norm
from unit_shared import diffexp_config

from drugsig.diffexp.deseq import (
    CONTRAST_COLUMNS,
    RESULT_COLUMNS,
    _contrast_row,
    check_counts,
    differential_expression,
    write_de,
)
from drugsig.errors import InputError
from drugsig.inputs.design import Contrast, build_contrasts

DISPERSION = 0.05


def make_samples(conditions: list[str], **columns: list[str]) -> pd.DataFrame:
    names = [f"S{i:02d}" for i in range(len(conditions))]
    table = pd.DataFrame({"sample": names, "condition": conditions, **columns}, dtype=object)
    return table.set_index("sample", drop=False)


def simulate(
    samples: pd.DataFrame, mean: np.ndarray, log2fc: np.ndarray, seed: int
) -> pd.DataFrame:
    """Negative binomial counts, genes x samples; ``log2fc`` is samples x genes."""
    rng = np.random.default_rng(seed)
    mu = mean[None, :] * 2.0**log2fc
    counts = rng.negative_binomial(1 / DISPERSION, 1 / (1 + mu * DISPERSION))
    table = pd.DataFrame(counts.T, columns=list(samples.index))
    table.insert(0, "gene_id", [f"G{i:03d}" for i in range(len(mean))])
    table.insert(1, "gene_name", [f"N{i}" for i in range(len(mean))])
    return table


def effects(samples: pd.DataFrame, n_genes: int, **by_level: list[tuple]) -> np.ndarray:
    """Samples x genes log2 fold changes: ``level=[(first gene, end gene, log2FC)]``.

    Effects of several levels of a sample (condition, batch) add up.
    """
    log2fc = np.zeros((len(samples), n_genes))
    for row, values in enumerate(samples.to_dict("records")):
        for value in values.values():
            for start, end, size in by_level.get(value, []):
                log2fc[row, start:end] += size
    return log2fc


@pytest.fixture(scope="module")
def drugs():
    """12 samples (DMSO, DrugA, DrugB x 4), 200 genes with known effects, shrunken."""
    samples = make_samples(["DMSO"] * 4 + ["DrugA"] * 4 + ["DrugB"] * 4)
    rng = np.random.default_rng(1)
    mean = np.exp(rng.uniform(np.log(100), np.log(2000), 200))
    mean[170:190] = 4.0  # low counts
    log2fc = effects(
        samples,
        200,
        DrugA=[(0, 20, 3.0), (20, 40, -2.0), (170, 180, 2.0)],
        DrugB=[(40, 50, 2.0), (50, 60, -2.0)],
    )
    counts = simulate(samples, mean, log2fc, seed=2)
    counts.loc[190:, list(samples.index)] = 0
    counts.loc[190, "S00"] = 9  # 9 reads in total: dropped
    counts.loc[191, "S00"] = 10  # 10 reads: kept
    cfg = diffexp_config(shrink=True)
    result = differential_expression(counts, samples, build_contrasts(samples, cfg), cfg)
    return samples, counts, log2fc, result


def test_tables_and_columns(drugs):
    _, _, _, result = drugs
    assert list(result.tables) == ["DrugA_vs_DMSO", "DrugB_vs_DMSO"]
    for table in result.tables.values():
        assert list(table.columns) == RESULT_COLUMNS
        assert (table["gene_name"] == "N" + table["gene_id"].str[1:].astype(int).astype(str)).all()


def test_low_count_genes_are_dropped(drugs):
    _, _, _, result = drugs
    genes = set(result.tables["DrugA_vs_DMSO"]["gene_id"])
    assert "G190" not in genes
    assert "G191" in genes
    assert not {f"G{i}" for i in range(192, 200)} & genes
    assert len(result.normalized) == 200


def assert_recovered(table: pd.DataFrame, genes: list[str], log2fc: float) -> None:
    """Significant, right sign, within 4 standard errors of ``log2fc``, unbiased."""
    table = table.set_index("gene_id").loc[genes]
    error = table["log2FoldChange"] - log2fc
    assert (table["padj"] < 0.05).all()
    assert (np.sign(table["log2FoldChange"]) == np.sign(log2fc)).all()
    assert (error.abs() < 4 * table["lfcSE"]).all()
    assert abs(error.mean()) < 0.15


def gene_ids(start: int, end: int) -> list[str]:
    return [f"G{i:03d}" for i in range(start, end)]


def test_known_fold_changes_are_recovered(drugs):
    _, _, _, result = drugs
    assert_recovered(result.tables["DrugA_vs_DMSO"], gene_ids(0, 20), 3.0)
    assert_recovered(result.tables["DrugA_vs_DMSO"], gene_ids(20, 40), -2.0)
    assert_recovered(result.tables["DrugB_vs_DMSO"], gene_ids(40, 50), 2.0)
    assert_recovered(result.tables["DrugB_vs_DMSO"], gene_ids(50, 60), -2.0)
    for table in result.tables.values():
        null = table.set_index("gene_id").loc[gene_ids(60, 170)]
        assert (null["padj"] < 0.05).sum() <= 3
        assert null["log2FoldChange"].abs().median() < 0.2


def test_shrinkage_pulls_low_count_genes_towards_zero(drugs):
    _, _, _, result = drugs
    table = result.tables["DrugA_vs_DMSO"]
    low = table[table["baseMean"] < 20]
    assert len(low) >= 15
    assert (low["log2FoldChange_shrunk"].abs() <= low["log2FoldChange"].abs() + 1e-9).all()
    assert (low["log2FoldChange_shrunk"].abs() < low["log2FoldChange"].abs() - 0.05).any()
    assert table["lfcSE_shrunk"].notna().all()


def test_tables_are_sorted_by_padj_then_gene_id(drugs):
    _, _, _, result = drugs
    table = result.tables["DrugA_vs_DMSO"]
    tested = table[table["padj"].notna()]
    assert tested["padj"].is_monotonic_increasing
    assert table["padj"].isna().sum() == 0 or table["padj"].iloc[len(tested) :].isna().all()
    ties = tested.groupby("padj")["gene_id"].apply(lambda ids: list(ids) == sorted(ids))
    assert ties.all()


def test_contrasts_table(drugs):
    _, _, _, result = drugs
    assert result.contrasts.to_dict("records") == [
        {
            "name": "DrugA_vs_DMSO",
            "kind": "treatment",
            "column": "condition",
            "treatment": "DrugA",
            "reference": "DMSO",
            "cell_line": None,
            "time": "",
            "dose": "",
            "n_treatment": 4,
            "n_reference": 4,
            "treatment_samples": "S04,S05,S06,S07",
            "reference_samples": "S00,S01,S02,S03",
        },
        {
            "name": "DrugB_vs_DMSO",
            "kind": "treatment",
            "column": "condition",
            "treatment": "DrugB",
            "reference": "DMSO",
            "cell_line": None,
            "time": "",
            "dose": "",
            "n_treatment": 4,
            "n_reference": 4,
            "treatment_samples": "S08,S09,S10,S11",
            "reference_samples": "S00,S01,S02,S03",
        },
    ]


def test_contrast_row_time_and_dose_of_the_treatment_samples():
    samples = make_samples(
        ["DMSO"] * 2 + ["Drug"] * 4,
        cell_line=["L"] * 6,
        time=["6h", "6h", "6h", "6h", "1h", "1h"],
        dose=["0", "0", "1", "1", "1", None],
    )
    groups = pd.Series(["V", "V", "T", "T", "E", "E"], index=samples.index)
    contrast = Contrast(
        name="Drug_vs_DMSO",
        column="condition",
        treatment="Drug",
        reference="DMSO",
        subset=(),
        kind="treatment",
        cell_line="L",
        factor=("condition", "dose", "time"),
        treatment_group="T",
        reference_group="V",
    )
    row = _contrast_row(contrast, groups, samples)
    assert list(row) == CONTRAST_COLUMNS
    assert (row["cell_line"], row["time"], row["dose"]) == ("L", "6h", "1")
    row = _contrast_row(replace(contrast, treatment_group="E"), groups, samples)
    assert (row["time"], row["dose"]) == ("1h", "")  # a missing dose counts as different
    row = _contrast_row(replace(contrast, treatment_group="T"), groups, samples.iloc[:, :3])
    assert (row["time"], row["dose"]) == ("", "")  # no such columns in the sheet


def test_normalized_counts_use_the_fits_size_factors(drugs):
    samples, counts, _, result = drugs
    kept = counts[counts[list(samples.index)].sum(axis=1) >= 10]
    _, size_factors = deseq2_norm(kept[list(samples.index)].T.to_numpy())
    expected = counts[list(samples.index)].to_numpy() / size_factors
    assert list(result.normalized.columns) == ["gene_id", "gene_name", *samples.index]
    np.testing.assert_allclose(result.normalized[list(samples.index)], expected, rtol=1e-12)


@pytest.fixture(scope="module")
def two_lines():
    conditions = (["DMSO"] * 3 + ["Drug"] * 3) * 2
    samples = make_samples(conditions, cell_line=["A"] * 6 + ["B"] * 6)
    rng = np.random.default_rng(3)
    mean = np.exp(rng.uniform(np.log(50), np.log(1000), 80))
    log2fc = effects(samples, 80, Drug=[(0, 10, 2.5)])
    log2fc[6:, 10:20] = 3.0  # line B differs from line A at baseline
    counts = simulate(samples, mean, log2fc, seed=4)
    return samples, counts


def test_contrasts_of_several_cell_lines_are_fitted_per_cell_line(two_lines):
    samples, counts = two_lines
    cfg = diffexp_config()
    result = differential_expression(counts, samples, build_contrasts(samples, cfg), cfg)
    assert list(result.tables) == ["A_Drug_vs_DMSO", "B_Drug_vs_DMSO"]
    assert list(result.contrasts["cell_line"]) == ["A", "B"]
    line_a = samples[samples["cell_line"] == "A"]
    alone = differential_expression(
        counts[["gene_id", "gene_name", *line_a.index]], line_a, build_contrasts(line_a, cfg), cfg
    )
    pd.testing.assert_frame_equal(result.tables["A_Drug_vs_DMSO"], alone.tables["Drug_vs_DMSO"])
    _, size_factors = deseq2_norm(counts[list(samples.index)].T.to_numpy())
    np.testing.assert_allclose(
        result.normalized[list(samples.index)],
        counts[list(samples.index)].to_numpy() / size_factors,
        rtol=1e-12,
    )


def test_covariate_absorbs_a_batch_effect():
    samples = make_samples(["DMSO"] * 4 + ["Drug"] * 4, batch=["b1", "b2"] * 4)
    rng = np.random.default_rng(5)
    mean = np.exp(rng.uniform(np.log(100), np.log(1000), 120))
    log2fc = effects(samples, 120, Drug=[(0, 20, 1.5)], b2=[(10, 30, 3.0)])
    counts = simulate(samples, mean, log2fc, seed=6)
    contrasts = build_contrasts(samples, diffexp_config())
    with_batch = differential_expression(
        counts, samples, contrasts, diffexp_config(covariates=["batch"])
    )
    without = differential_expression(counts, samples, contrasts, diffexp_config())
    table = with_batch.tables["Drug_vs_DMSO"]
    assert_recovered(table, gene_ids(0, 20), 1.5)
    both = gene_ids(10, 20)  # drug and batch effects
    padj = table.set_index("gene_id").loc[both, "padj"]
    assert (padj < without.tables["Drug_vs_DMSO"].set_index("gene_id").loc[both, "padj"]).all()
    batch_only = table.set_index("gene_id").loc[gene_ids(20, 30)]
    assert (batch_only["padj"] < 0.05).sum() <= 1


def test_confounded_covariate_is_an_input_error():
    samples = make_samples(["DMSO"] * 2 + ["Drug"] * 2, batch=["b1", "b1", "b2", "b2"])
    counts = simulate(samples, np.full(20, 100.0), np.zeros((4, 20)), seed=7)
    cfg = diffexp_config(covariates=["batch"])
    with pytest.raises(InputError) as error:
        differential_expression(counts, samples, build_contrasts(samples, cfg), cfg)
    assert str(error.value) == (
        "contrast(s) Drug_vs_DMSO: the covariates batch (diffexp.covariates) are "
        "confounded with the compared groups, so the model cannot be fitted. Remove them "
        "or add samples that separate them."
    )


def test_inference_is_passed_through(two_lines):
    samples, counts = two_lines
    line_a = samples[samples["cell_line"] == "A"]

    class Counting(DefaultInference):
        calls = 0

        def wald_test(self, *args, **kwargs):
            Counting.calls += 1
            return super().wald_test(*args, **kwargs)

    cfg = diffexp_config()
    differential_expression(
        counts, line_a, build_contrasts(line_a, cfg), cfg, inference=Counting(n_cpus=1)
    )
    assert Counting.calls == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.drop(columns="S01"), "counts.tsv: column(s) S01 missing."),
        (
            lambda c: c.assign(S01=c["S01"] + 0.5),
            "counts.tsv: column(s) S01 must hold non-negative integer counts.",
        ),
        (
            lambda c: c.assign(S02=-c["S02"]),
            "counts.tsv: column(s) S02 must hold non-negative integer counts.",
        ),
        (lambda c: c.assign(gene_id=["G1", "G1", "G2"]), "counts.tsv: duplicated gene_id(s) G1."),
    ],
)
def test_bad_counts(change, message):
    counts = pd.DataFrame(
        {
            "gene_id": ["G0", "G1", "G2"],
            "gene_name": ["A", "B", "C"],
            "S01": [1, 2, 3],
            "S02": [4, 5, 6],
        }
    )
    with pytest.raises(InputError) as error:
        check_counts(change(counts), ["S01", "S02"], "counts.tsv")
    assert str(error.value) == message


def test_write_de_reruns_are_byte_identical(tmp_path, two_lines):
    samples, counts = two_lines
    samples = samples[samples["cell_line"] == "A"].assign(dose=["0"] * 3 + ["1.5"] * 3, time="24h")
    sheet = tmp_path / "samples.tsv"
    samples.to_csv(sheet, sep="\t", index=False)
    counts_path = tmp_path / "counts.tsv"
    counts[["gene_id", "gene_name", *samples.index]].head(40).to_csv(
        counts_path, sep="\t", index=False
    )
    cfg = diffexp_config(shrink=True)
    outputs = []
    for run in ("first", "second"):
        out = tmp_path / run
        write_de(
            counts_path,
            sheet,
            cfg,
            [out / "Drug_vs_DMSO.tsv"],
            out / "normalized.tsv",
            out / "contrasts.tsv",
        )
        outputs.append({path.name: path.read_bytes() for path in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == ["Drug_vs_DMSO.tsv", "contrasts.tsv", "normalized.tsv"]
    lines = outputs[0]["Drug_vs_DMSO.tsv"].decode().splitlines()
    assert lines[0].split("\t") == RESULT_COLUMNS
    assert len(lines) == 41
    assert outputs[0]["contrasts.tsv"].decode().splitlines()[1] == (
        "Drug_vs_DMSO\ttreatment\tcondition\tDrug\tDMSO\tA\t24h\t1.5\t3\t3\tS03,S04,S05"
        "\tS00,S01,S02"
    )
    with pytest.raises(ValueError, match="do not match the contrasts"):
        write_de(
            counts_path, sheet, cfg, [tmp_path / "x.tsv"], tmp_path / "n.tsv", tmp_path / "c.tsv"
        )
