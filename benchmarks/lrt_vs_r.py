"""drugsig's likelihood ratio test and interaction contrasts against R DESeq2.

Prints, for each case, the Spearman correlation of -log10 p-values, the Jaccard index
of the padj < 0.05 calls and the number of calls on each side; for null simulations
the fraction of genes called. Python runs the workflow's own code paths; R runs
``DESeq(test="LRT", reduced=...)`` + ``results()`` (or the Wald test of the
interaction coefficient) through ``Rscript``. R results are cached in ``--workdir``.

Cases
-----
(a) kidney concentration series (``/work/shared/data/zhou_kidney_pce``, or
    ``../shared/data`` relative to the repository): 5 doses, ``~dose`` vs ``~1``, through
    :func:`drugsig.diffexp.lrt.series_lrt` (the workflow's per-series LRT);
(b) simulation ``~batch + dose`` vs ``~batch`` (5 doses x 3 replicates, 200 of 2,000
    genes respond; batch = ``diffexp.covariates``), through ``series_lrt``;
(c) null simulations (no dose effect), three seeds: fraction of padj < 0.05;
(d) genotype x treatment simulation where only the interaction is non-null: the
    workflow's interaction contrast (:func:`drugsig.diffexp.deseq.differential_expression`,
    kind ``interaction``) against R's ``genotyperesistant.treatmentdrug`` Wald test.

Usage: ``.venv/bin/python benchmarks/lrt_vs_r.py [--cases abcd] [--workdir DIR]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "diffexp"))

from lrt_simulations import simulate_dose_batch, simulate_interaction  # noqa: E402

from drugsig.analysis.dose_response import LRTSeries  # noqa: E402
from drugsig.diffexp.deseq import differential_expression  # noqa: E402
from drugsig.diffexp.inference import VectorizedInference  # noqa: E402
from drugsig.diffexp.lrt import series_lrt  # noqa: E402
from drugsig.inputs.design import build_contrasts  # noqa: E402
from drugsig.inputs.schema import fill_defaults, load_schema  # noqa: E402

KIDNEY = next(
    (
        path
        for path in (
            Path("/work/shared/data/zhou_kidney_pce"),
            REPO.parent / "shared" / "data" / "zhou_kidney_pce",
        )
        if path.is_dir()
    ),
    None,
)

R_SCRIPT = r"""
suppressPackageStartupMessages(library(DESeq2))
dir <- commandArgs(TRUE)[1]
cts <- as.matrix(read.delim(file.path(dir, "counts.tsv"), row.names = 1, check.names = FALSE))
cd <- read.delim(file.path(dir, "coldata.tsv"), row.names = 1, colClasses = "character",
                 check.names = FALSE)
lv <- read.delim(file.path(dir, "levels.tsv"), colClasses = "character")
for (v in unique(lv$column)) cd[[v]] <- factor(cd[[v]], levels = lv$level[lv$column == v])
par <- read.delim(file.path(dir, "params.tsv"), colClasses = "character")
get <- function(k) par$value[par$key == k]
dds <- DESeqDataSetFromMatrix(cts, cd, as.formula(get("design")))
if (get("test") == "LRT") {
  dds <- DESeq(dds, test = "LRT", reduced = as.formula(get("reduced")), quiet = TRUE)
  res <- results(dds, alpha = as.numeric(get("alpha")))
} else {
  dds <- DESeq(dds, quiet = TRUE)
  res <- results(dds, name = get("name"), alpha = as.numeric(get("alpha")))
}
out <- data.frame(gene = rownames(dds), baseMean = res$baseMean,
                  log2FoldChange = res$log2FoldChange, stat = res$stat,
                  pvalue = res$pvalue, padj = res$padj)
write.table(out, file.path(dir, "results.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
"""

# The workflow's diffexp defaults (from the config schema), every gene kept, no shrinkage.
DIFFEXP = {
    **fill_defaults({"diffexp": {}}, load_schema("config"))["diffexp"],
    "min_count": 0,
    "shrink": False,
    "n_cpus": 1,
}


def run_r(
    counts: pd.DataFrame, metadata: pd.DataFrame, params: dict[str, str], cache: Path
) -> pd.DataFrame:
    """DESeq2 in R on ``counts`` (samples x genes); results by gene (cached in ``cache``)."""
    if cache.exists():
        return pd.read_csv(cache, sep="\t", index_col=0, dtype={"gene": str})
    with tempfile.TemporaryDirectory(prefix="lrt_vs_r_") as tmp:
        d = Path(tmp)
        counts.T.rename_axis("gene").to_csv(d / "counts.tsv", sep="\t")
        metadata.astype(str).rename_axis("sample").to_csv(d / "coldata.tsv", sep="\t")
        levels = [
            (column, str(level))
            for column in metadata.columns
            for level in metadata[column].cat.categories
        ]
        pd.DataFrame(levels, columns=["column", "level"]).to_csv(
            d / "levels.tsv", sep="\t", index=False
        )
        pd.DataFrame(list({"alpha": "0.05", **params}.items()), columns=["key", "value"]).to_csv(
            d / "params.tsv", sep="\t", index=False
        )
        (d / "run.R").write_text(R_SCRIPT)
        subprocess.run(["Rscript", str(d / "run.R"), str(d)], check=True, capture_output=True)
        results = pd.read_csv(d / "results.tsv", sep="\t", index_col=0, dtype={"gene": str})
    cache.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(cache, sep="\t")
    return results


def compare(label: str, py: pd.DataFrame, r: pd.DataFrame) -> dict[str, object]:
    """Spearman of -log10 p, Jaccard of padj < 0.05 calls; printed and returned."""
    r = r.reindex(py.index)
    both = py["pvalue"].notna() & r["pvalue"].notna() & (py["pvalue"] > 0) & (r["pvalue"] > 0)
    rho = spearmanr(-np.log10(py.loc[both, "pvalue"]), -np.log10(r.loc[both, "pvalue"])).statistic
    py_calls, r_calls = set(py.index[py["padj"] < 0.05]), set(r.index[r["padj"] < 0.05])
    union = py_calls | r_calls
    row = {
        "case": label,
        "genes": len(py),
        "spearman_neglog10p": round(float(rho), 4),
        "calls_py": len(py_calls),
        "calls_R": len(r_calls),
        "jaccard_padj05": round(len(py_calls & r_calls) / len(union), 4) if union else 1.0,
        "na_agree": round(float((py["pvalue"].isna() == r["pvalue"].isna()).mean()), 4),
    }
    print("  ".join(f"{key}={value}" for key, value in row.items()), flush=True)
    return row


def counts_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Samples x genes counts as the workflow's count matrix."""
    table = counts.T.rename_axis("gene_id").reset_index()
    table.insert(1, "gene_name", table["gene_id"])
    return table


def dose_series(metadata: pd.DataFrame, covariates: list[str]) -> tuple[LRTSeries, pd.DataFrame]:
    """The series (level = the ``dose`` category) and a samples sheet with the covariates."""
    levels = [str(level) for level in metadata["dose"].cat.categories]
    series = LRTSeries(
        name="series",
        factor="dose",
        keys={"cell_line": "L", "genotype": "", "drug": "D", "time": ""},
        levels=levels,
        samples=dict(zip(metadata.index, metadata["dose"].astype(str), strict=True)),
    )
    sheet = metadata[covariates].astype(str) if covariates else pd.DataFrame(index=metadata.index)
    return series, sheet


def lrt_case(
    label: str,
    counts: pd.DataFrame,
    metadata: pd.DataFrame,
    covariates: list[str],
    workdir: Path,
    use_r: bool,
    truth: np.ndarray | None = None,
) -> list[dict[str, object]]:
    """One LRT case: the workflow's ``series_lrt`` (and R)."""
    start = time.process_time()
    series, sheet = dose_series(metadata, covariates)
    cfg = {**DIFFEXP, "covariates": covariates}
    py = series_lrt(counts_table(counts), sheet, series, cfg, VectorizedInference(n_cpus=1))
    py = py.set_index("gene_id")
    calls = py["padj"] < 0.05
    print(f"[{label}] python {time.process_time() - start:.1f} s CPU, calls {int(calls.sum())}")
    if truth is not None:
        planted = pd.Series(truth, index=counts.columns).reindex(py.index)
        print(f"  truth: TP={int((calls & planted).sum())} FP={int((calls & ~planted).sum())}")
    if not use_r:
        return []
    reduced = "~" + (" + ".join(covariates) or "1")
    design = "~" + " + ".join([*covariates, "dose"])
    r = run_r(
        counts,
        metadata[[*covariates, "dose"]],
        {"test": "LRT", "design": design, "reduced": reduced},
        workdir / f"{label.split()[0].strip('()')}.tsv",
    )
    return [compare(label, py, r)]


def null_case(seed: int, workdir: Path, use_r: bool) -> dict[str, object]:
    """Null simulation: fraction of genes at padj < 0.05 (goal <= 5 %) and p < 0.05."""
    counts, metadata, _ = simulate_dose_batch(n_genes=2000, n_de=0, seed=100 + seed)
    series, sheet = dose_series(metadata, ["batch"])
    py = series_lrt(
        counts_table(counts),
        sheet,
        series,
        {**DIFFEXP, "covariates": ["batch"]},
        VectorizedInference(n_cpus=1),
    )
    row: dict[str, object] = {
        "case": f"(c) null seed {seed}",
        "py_frac_padj05": round(float((py["padj"] < 0.05).mean()), 4),
        "py_frac_p05": round(float((py["pvalue"] < 0.05).sum() / py["pvalue"].notna().sum()), 4),
    }
    if use_r:
        r = run_r(
            counts,
            metadata[["batch", "dose"]],
            {"test": "LRT", "design": "~batch + dose", "reduced": "~batch"},
            workdir / f"null{seed}.tsv",
        )
        row["R_frac_padj05"] = round(float((r["padj"] < 0.05).mean()), 4)
        row["R_frac_p05"] = round(float((r["pvalue"] < 0.05).sum() / r["pvalue"].notna().sum()), 4)
    print("  ".join(f"{key}={value}" for key, value in row.items()), flush=True)
    return row


def interaction_case(workdir: Path, use_r: bool) -> list[dict[str, object]]:
    """The workflow's genotype x treatment interaction contrast against R's coefficient."""
    counts, metadata, truth = simulate_interaction(
        n_genes=2000, n_interaction=200, seed=7, treatments=("DMSO", "drug")
    )
    sheet = pd.DataFrame(
        {
            "sample": metadata.index,
            "condition": metadata["treatment"].astype(str).to_numpy(),
            "genotype": metadata["genotype"].astype(str).to_numpy(),
        },
        dtype=object,
    ).set_index("sample", drop=False)
    cfg = {**DIFFEXP, "parental": "parental"}
    contrasts = [c for c in build_contrasts(sheet, cfg) if c.kind == "interaction"]
    result = differential_expression(
        counts_table(counts), sheet, contrasts, cfg, VectorizedInference(n_cpus=1)
    )
    py = result.tables[contrasts[0].name].set_index("gene_id")
    calls = py["padj"] < 0.05
    planted = pd.Series(truth, index=counts.columns).reindex(py.index)
    print(
        f"[(d) {contrasts[0].name}] calls {int(calls.sum())}: "
        f"TP={int((calls & planted).sum())} FP={int((calls & ~planted).sum())}"
    )
    if not use_r:
        return []
    r = run_r(
        counts,
        metadata,
        {
            "test": "Wald",
            "design": "~genotype + treatment + genotype:treatment",
            "name": "genotyperesistant.treatmentdrug",
        },
        workdir / "interaction.tsv",
    )
    lfc = (py["log2FoldChange"] - r.loc[py.index, "log2FoldChange"]).abs()
    print(f"  |log2FC py - R|: median {lfc.median():.2g}, 99% {lfc.quantile(0.99):.2g}")
    return [compare("(d) interaction contrast", py, r)]


def main() -> None:
    """Run the cases; print one line per comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="abcd", help="subset of cases, e.g. 'bc'")
    parser.add_argument("--skip-r", action="store_true", help="Python only")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "drugsig_lrt_vs_r"
    )
    args = parser.parse_args()
    use_r = not args.skip_r
    if "a" in args.cases:
        if KIDNEY is None:
            print("(a) skipped: no zhou_kidney_pce data")
        else:
            counts = pd.read_csv(KIDNEY / "counts.csv.gz", index_col=0).T
            samples = pd.read_csv(KIDNEY / "samples.csv", index_col=0)
            order = [f"d{dose:g}" for dose in sorted(samples["dose"].unique())]
            dose = pd.Categorical(samples["dose"].map(lambda d: f"d{d:g}"), categories=order)
            metadata = pd.DataFrame({"dose": dose}, index=samples.index)
            lrt_case(
                "(a) kidney ~dose vs ~1",
                counts.loc[metadata.index],
                metadata,
                [],
                args.workdir,
                use_r,
            )
    if "b" in args.cases:
        counts, metadata, truth = simulate_dose_batch(n_genes=2000, n_de=200, seed=11)
        lrt_case(
            "(b) sim ~batch+dose vs ~batch", counts, metadata, ["batch"], args.workdir, use_r, truth
        )
    if "c" in args.cases:
        for seed in range(3):
            null_case(seed, args.workdir, use_r)
    if "d" in args.cases:
        interaction_case(args.workdir, use_r)


if __name__ == "__main__":
    main()
