"""Sample names with dots (``dose0.22_r1``, as in real sheets) run end to end.

A counts-entry project (the fastest full run): featureCounts-style BAM-path columns
(``bams/dose0.22_r1.sorted.bam``) must map to the dotted samples, and the count matrix,
the DE tables and the MultiQC report must carry the full names, never a name cut at
a dot.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import write_config

from conftest import run_snakemake
from drugsig.analysis.genesets import CURATED_GMT, read_gmt

pytestmark = pytest.mark.integration

SAMPLES = {
    "DMSO.a_1": "DMSO",
    "DMSO.a_2": "DMSO",
    "DMSO.a_3": "DMSO",
    "dose0.22_r1": "drugA",
    "dose0.22_r2": "drugA",
    "dose0.22_r3": "drugA",
}


def dotted_project(root: Path, n_genes: int = 300, seed: int = 7) -> Path:
    """Counts-entry project: curated-set genes, 30 up and 30 down under drugA."""
    rng = np.random.default_rng(seed)
    genes = list(dict.fromkeys(gene for s in read_gmt(CURATED_GMT) for gene in s.genes))
    genes = genes[:n_genes]
    base = rng.gamma(2, 100, len(genes))
    fold = np.ones(len(genes))
    fold[:30], fold[30:60] = 4, 0.25
    lines = ["Geneid\t" + "\t".join(f"bams/{sample}.sorted.bam" for sample in SAMPLES)]
    for gene, mean, change in zip(genes, base, fold, strict=True):
        means = [mean * (change if group == "drugA" else 1) for group in SAMPLES.values()]
        counts = [rng.negative_binomial(10, 10 / (10 + m)) for m in means]
        lines.append(gene + "\t" + "\t".join(map(str, counts)))
    root.mkdir(parents=True)
    (root / "counts.tsv").write_text("\n".join(lines) + "\n")
    (root / "config").mkdir()
    (root / "config" / "samples.tsv").write_text(
        "sample\tcondition\n" + "".join(f"{s}\t{c}\n" for s, c in SAMPLES.items())
    )
    config = {"samples": "config/samples.tsv", "counts": "counts.tsv"}
    write_config(root, {**config, "diffexp": {"vehicle": "DMSO"}})
    return root


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    root = dotted_project(tmp_path_factory.mktemp("dots") / "project")
    run_snakemake(root, "--cores", "2")
    return root / "results"


def test_count_matrix_and_de_tables_use_the_full_names(results):
    counts = pd.read_csv(results / "counts" / "counts.tsv", sep="\t")
    assert list(counts.columns) == ["gene_id", "gene_name", *SAMPLES]
    normalized = pd.read_csv(results / "de" / "normalized_counts.tsv", sep="\t")
    assert list(normalized.columns) == ["gene_id", "gene_name", *SAMPLES]
    contrasts = pd.read_csv(results / "de" / "contrasts.tsv", sep="\t")
    assert contrasts["name"].tolist() == ["drugA_vs_DMSO"]
    row = contrasts.iloc[0]
    assert row["treatment_samples"].split(",") == ["dose0.22_r1", "dose0.22_r2", "dose0.22_r3"]
    assert row["reference_samples"].split(",") == ["DMSO.a_1", "DMSO.a_2", "DMSO.a_3"]
    table = pd.read_csv(results / "de" / "drugA_vs_DMSO.tsv", sep="\t")
    assert (table["padj"] < 0.05).sum() >= 20  # of the 60 changed genes


def test_multiqc_report_carries_the_full_names(results):
    """The MultiQC data (PCA points are named by sample) has every dotted name whole."""
    (data,) = results.glob("multiqc/*_data/multiqc_data.json")
    text = data.read_text()
    json.loads(text)  # a complete file
    for sample in SAMPLES:
        assert f'"{sample}"' in text, sample
    # no sample cut at its first dot ("DMSO" is also the condition, so look at "dose0")
    assert '"dose0"' not in text
    (pca,) = results.glob("multiqc/*_data/multiqc_plot_pca_scatter.txt")
    assert all(f"'name': '{sample}'" in pca.read_text() for sample in SAMPLES)
