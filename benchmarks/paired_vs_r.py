"""Paired designs (``~ donor + treatment``) against R DESeq2: ``diffexp.r_parity`` on and off.

Simulates donors x {untreated, treated} (``--donors`` 3, 4, 5: 2, 3, 4 residual degrees
of freedom), negative binomial counts for ``--genes`` genes (mean ~ lognormal around 150,
donor effects lognormal with log-SD 0.5, 10% of genes with a treatment log2 fold change
~ N(0, 1), dispersion ``(4 / mean + 0.05) * exp(N(0, sd))`` with scatter ``--sd`` 0.5 and
1.0, size factors lognormal with log-SD 0.2), keeps genes with at least 10 reads and fits
``~ donor + treatment`` with

* R DESeq2 (``DESeq()``, ``results(name = "treatment_treated_vs_untreated")``) through
  ``Rscript``,
* drugsig's :func:`drugsig.diffexp.deseq.differential_expression` (the workflow's DE
  step: vehicle ``untreated``, covariate ``donor``, no shrinkage) with
  ``diffexp.r_parity`` true and false (``VectorizedInference``),
* the same with pydeseq2's ``DefaultInference`` and ``r_parity`` false (plain pydeseq2),

and prints one row per data set and fit: the Jaccard index of the padj < ``--alpha`` gene
sets against R's, the Spearman correlation of the log2 fold changes with R's, the number
of calls (ours / R), the recall and false discovery proportion of the calls against the
planted effects, R's dispersion prior variance, and the wall time of the fit (R:
``DESeq()`` + ``results()`` timed inside R).

    .venv/bin/python benchmarks/paired_vs_r.py
    .venv/bin/python benchmarks/paired_vs_r.py --donors 3 --sd 1.0 --no-default
    .venv/bin/python benchmarks/paired_vs_r.py --cache /tmp/paired_r_cache

With ``--cache DIR`` R's results are kept in ``DIR`` under a hash of the input and
reused. Exits with a message (status 0) when ``Rscript`` is not found.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydeseq2.default_inference import DefaultInference
from pydeseq2.inference import Inference
from scipy.stats import spearmanr

from drugsig.diffexp.deseq import differential_expression
from drugsig.diffexp.inference import VectorizedInference
from drugsig.inputs.design import build_contrasts
from drugsig.inputs.schema import fill_defaults, load_schema

MIN_COUNT = 10

R_SCRIPT = r"""
# Usage: Rscript run.R DIR ALPHA. DIR holds counts.tsv (genes x samples) and
# coldata.tsv (sample, donor, treatment).
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
alpha <- as.numeric(args[[2]])
suppressPackageStartupMessages(library(DESeq2))
cts <- as.matrix(read.delim(file.path(dir, "counts.tsv"), row.names = 1, check.names = FALSE))
cd <- read.delim(file.path(dir, "coldata.tsv"), row.names = 1, colClasses = "character")
cd$donor <- factor(cd$donor)
cd$treatment <- factor(cd$treatment, levels = c("untreated", "treated"))
dds <- DESeqDataSetFromMatrix(cts[, rownames(cd)], cd, design = ~donor + treatment)
t0 <- proc.time()
dds <- DESeq(dds, quiet = TRUE)
res <- results(dds, name = "treatment_treated_vs_untreated", alpha = alpha)
d <- proc.time() - t0
out <- data.frame(gene_id = rownames(res), baseMean = res$baseMean,
                  log2FoldChange = res$log2FoldChange, padj = res$padj,
                  dispGeneEst = mcols(dds)$dispGeneEst, dispFit = mcols(dds)$dispFit)
write.table(out, file.path(dir, "R_results.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf('{"wall": %.4f, "prior_var": %.17g}\n', d[["elapsed"]],
            attr(dispersionFunction(dds), "dispPriorVar")), file = file.path(dir, "R_time.json"))
"""


def simulate_paired(
    n_donors: int, disp_sd: float, n_genes: int, seed: int, frac_de: float = 0.1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Simulate a paired donor x treatment experiment.

    Parameters
    ----------
    n_donors : int
        Donors, each with an untreated and a treated sample.
    disp_sd : float
        SD of the log-normal scatter of the dispersions around their trend.
    n_genes : int
        Genes.
    seed : int
        Seed of the random generator.
    frac_de : float
        Fraction of genes with a treatment effect. (default: ``0.1``).

    Returns
    -------
    counts : DataFrame
        Genes x samples.
    samples : DataFrame
        Indexed by sample: ``donor`` and ``treatment`` (``untreated`` / ``treated``).
    log2fc : Series
        The planted log2 fold change of each gene.
    """
    rng = np.random.default_rng(seed)
    mean = np.exp(rng.normal(np.log(150.0), 1.8, n_genes)).clip(0.5, 2e5)
    dispersion = (4.0 / mean + 0.05) * np.exp(rng.normal(0.0, disp_sd, n_genes))
    donor_effect = np.exp(rng.normal(0.0, 0.5, (n_genes, n_donors)))
    log2fc = np.zeros(n_genes)
    de = rng.random(n_genes) < frac_de
    log2fc[de] = rng.normal(0.0, 1.0, de.sum())
    size_factors = np.exp(rng.normal(0.0, 0.2, 2 * n_donors))
    rows, means = [], []
    for donor in range(n_donors):
        for treated, treatment in enumerate(["untreated", "treated"]):
            rows.append((f"D{donor + 1}_{treatment}", f"D{donor + 1}", treatment))
            means.append(mean * donor_effect[:, donor] * 2.0 ** (log2fc * treated))
    mu = np.column_stack(means) * size_factors[None, :]
    shape = 1.0 / dispersion[:, None]
    counts = rng.poisson(rng.gamma(shape, mu / shape))
    genes = [f"g{i:05d}" for i in range(n_genes)]
    samples = pd.DataFrame(rows, columns=["sample", "donor", "treatment"]).set_index("sample")
    return (
        pd.DataFrame(counts, index=genes, columns=samples.index),
        samples,
        pd.Series(log2fc, index=genes, name="log2fc"),
    )


@dataclass
class Fit:
    """Results of one fit: per gene ``log2FoldChange`` and ``padj``, and the wall time."""

    table: pd.DataFrame
    wall: float


def run_r(counts: pd.DataFrame, samples: pd.DataFrame, alpha: float, cache: Path | None) -> Fit:
    """Fit ``~ donor + treatment`` with R DESeq2, or read the result from ``cache``.

    Parameters
    ----------
    counts : DataFrame
        Genes x samples.
    samples : DataFrame
        ``donor`` and ``treatment`` of each sample.
    alpha : float
        ``results(alpha=)``.
    cache : Path or None
        Directory of cached results, keyed by a hash of the input and the R script.

    Returns
    -------
    Fit
        Indexed by gene: ``baseMean``, ``log2FoldChange``, ``padj``, ``dispGeneEst``,
        ``dispFit``; ``table.attrs["prior_var"]`` is R's ``dispPriorVar``.
    """
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(counts, index=True).to_numpy().tobytes())
    digest.update(samples.to_csv().encode())
    digest.update(f"{alpha!r}{R_SCRIPT}".encode())
    key = digest.hexdigest()[:16]
    if cache is not None and (cache / key / "R_time.json").exists():
        return _read_r(cache / key)
    with tempfile.TemporaryDirectory(prefix="paired_vs_r_") as tmp:
        work = Path(tmp)
        counts.rename_axis("gene_id").to_csv(work / "counts.tsv", sep="\t")
        samples.rename_axis("sample").to_csv(work / "coldata.tsv", sep="\t")
        (work / "run.R").write_text(R_SCRIPT)
        process = subprocess.run(
            ["Rscript", str(work / "run.R"), str(work), repr(alpha)],
            capture_output=True,
            text=True,
            check=False,
        )
        if process.returncode != 0:
            raise SystemExit(f"Rscript failed:\n{process.stderr[-3000:]}")
        if cache is not None:
            (cache / key).mkdir(parents=True, exist_ok=True)
            for path in work.glob("R_*"):
                shutil.copy(path, cache / key / path.name)
        return _read_r(work)


def _read_r(directory: Path) -> Fit:
    table = pd.read_csv(directory / "R_results.tsv", sep="\t", index_col=0)
    timing = json.loads((directory / "R_time.json").read_text())
    table.attrs["prior_var"] = timing["prior_var"]
    return Fit(table, timing["wall"])


def run_ours(
    counts: pd.DataFrame,
    samples: pd.DataFrame,
    alpha: float,
    r_parity: bool,
    inference: Inference,
) -> Fit:
    """Fit with the workflow's DE step (``differential_expression``).

    Parameters
    ----------
    counts : DataFrame
        Genes x samples (already filtered).
    samples : DataFrame
        ``donor`` and ``treatment`` of each sample.
    alpha : float
        ``diffexp.alpha``.
    r_parity : bool
        ``diffexp.r_parity``.
    inference : Inference
        pydeseq2 inference back end.

    Returns
    -------
    Fit
        Indexed by gene: ``log2FoldChange`` and ``padj``.
    """
    cfg = {
        **fill_defaults({"diffexp": {}}, load_schema("config"))["diffexp"],
        "vehicle": "untreated",
        "covariates": ["donor"],
        "min_count": 0,
        "alpha": alpha,
        "shrink": False,
        "r_parity": r_parity,
    }
    sheet = pd.DataFrame(
        {
            "sample": samples.index,
            "condition": samples["treatment"].to_numpy(),
            "donor": samples["donor"].to_numpy(),
        },
        index=samples.index,
        dtype=object,
    )
    table = counts.rename_axis("gene_id").reset_index()
    table.insert(1, "gene_name", table["gene_id"])
    start = time.perf_counter()
    result = differential_expression(table, sheet, build_contrasts(sheet, cfg), cfg, inference)
    wall = time.perf_counter() - start
    (fitted,) = result.tables.values()
    return Fit(fitted.set_index("gene_id")[["log2FoldChange", "padj"]], wall)


def compare(
    fit: Fit, r: Fit, truth: pd.Series, alpha: float
) -> tuple[float, float, int, int, float, float]:
    """Jaccard of the calls, LFC Spearman, calls ours / R, recall and FDP vs the truth.

    Parameters
    ----------
    fit, r : Fit
        Our fit and R's, indexed by the same genes.
    truth : Series
        Planted log2 fold changes.
    alpha : float
        The padj threshold of a call.

    Returns
    -------
    tuple
        Jaccard, Spearman, number of our calls, of R's, recall and false discovery
        proportion of our calls.
    """
    ours, theirs = fit.table.reindex(r.table.index), r.table
    calls = set(ours.index[ours["padj"] < alpha])
    calls_r = set(theirs.index[theirs["padj"] < alpha])
    union = calls | calls_r
    jaccard = len(calls & calls_r) / len(union) if union else 1.0
    both = ours["log2FoldChange"].notna() & theirs["log2FoldChange"].notna()
    rho = float(spearmanr(ours.loc[both, "log2FoldChange"], theirs.loc[both, "log2FoldChange"])[0])
    planted = set(truth.index[truth != 0]) & set(theirs.index)
    recall = len(calls & planted) / len(planted) if planted else np.nan
    fdp = len(calls - planted) / len(calls) if calls else 0.0
    return jaccard, rho, len(calls), len(calls_r), recall, fdp


def main(argv: list[str] | None = None) -> int:
    """Run the simulations and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--donors", type=int, nargs="+", default=[3, 4, 5])
    parser.add_argument("--sd", type=float, nargs="+", default=[0.5, 1.0])
    parser.add_argument("--genes", type=int, default=15_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--alpha", type=float, default=0.1)
    parser.add_argument("--n-cpus", type=int, default=2)
    parser.add_argument("--cache", type=Path, help="directory to keep and reuse R's results in")
    parser.add_argument(
        "--no-default", action="store_true", help="skip pydeseq2's DefaultInference (slow)"
    )
    args = parser.parse_args(argv)
    if shutil.which("Rscript") is None:
        print("Rscript not found: nothing to compare (skipped).")
        return 0
    warnings.filterwarnings("ignore")
    fits = {
        "r_parity on": (True, VectorizedInference),
        "r_parity off": (False, VectorizedInference),
    }
    if not args.no_default:
        fits["pydeseq2 default"] = (False, DefaultInference)
    print(
        f"{args.genes:,} genes, seed {args.seed}, padj < {args.alpha}; "
        f"R wall = DESeq() + results() inside R"
    )
    print()
    print(
        "| residual df | disp sd | fit | Jaccard vs R | LFC Spearman | calls ours/R "
        "| recall | FDP | R prior var | wall s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for donors in args.donors:
        for sd in args.sd:
            counts, samples, truth = simulate_paired(donors, sd, args.genes, args.seed)
            counts = counts[counts.sum(axis=1) >= MIN_COUNT]
            r = run_r(counts, samples, args.alpha, args.cache)
            cells = f"| {donors - 1} | {sd:g}"
            _, _, _, n_r, recall_r, fdp_r = compare(r, r, truth, args.alpha)
            print(
                f"{cells} | R DESeq2 | 1 | 1 | {n_r}/{n_r} | {recall_r:.3f} | {fdp_r:.3f} "
                f"| {r.table.attrs['prior_var']:.4f} | {r.wall:.1f} |",
                flush=True,
            )
            for label, (r_parity, inference) in fits.items():
                fit = run_ours(counts, samples, args.alpha, r_parity, inference(n_cpus=args.n_cpus))
                jaccard, rho, n_ours, _, recall, fdp = compare(fit, r, truth, args.alpha)
                print(
                    f"{cells} | {label} | {jaccard:.4f} | {rho:.6f} | {n_ours}/{n_r} "
                    f"| {recall:.3f} | {fdp:.3f} | - | {fit.wall:.1f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
