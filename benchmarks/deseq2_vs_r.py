"""The workflow's DE step against R DESeq2: concordance, wall time and peak memory.

Generates a seeded negative binomial count matrix (or reads one), then runs, each as
a timed subprocess that includes its start-up and imports:

* R DESeq2 (``benchmarks/deseq2_vs_r.R``, Debian ``r-bioc-deseq2``): ``~condition``
  with the vehicle as reference, one ``results()`` per drug vs vehicle;
* the workflow's DE step, :func:`drugsig.diffexp.deseq.write_de` (the function the ``deseq2``
  rule runs: one pydeseq2 fit for all contrasts, a Wald test per contrast) with
  :class:`drugsig.diffexp.inference.VectorizedInference`;
* with ``--with-default``, the same with pydeseq2's ``DefaultInference``.

and prints, per contrast and against R, the Spearman correlation of log2 fold
changes, the Jaccard index of the padj < alpha gene sets and the largest relative
difference of baseMean, then wall and CPU time, peak RSS and wall time relative to R.

    python benchmarks/deseq2_vs_r.py                      # 20,000 genes x 4 x 12 samples
    python benchmarks/deseq2_vs_r.py --genes 2000 --samples-per-condition 3
    python benchmarks/deseq2_vs_r.py --with-default       # also pydeseq2's own inference
    python benchmarks/deseq2_vs_r.py --counts counts.tsv --samples samples.tsv
    python benchmarks/deseq2_vs_r.py --repeat 3           # 3 rounds, fastest run of each

Both sides drop genes with fewer than ``--min-count`` reads (as the workflow does).
The workflow's apeGLM shrinkage is off unless ``--shrink`` (R has no apeglm here, so R
never shrinks); R's dispersion and filtering rules (``diffexp.r_parity``) are on, as
in the workflow, unless ``--no-r-parity``. Peak RSS is that of the largest single
process and CPU time that of the process and the children it waited for (``wait4``:
joblib's worker processes, used by ``DefaultInference``, may be missed). On a shared
machine, compare CPU times too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from drugsig.simulate.expression import de_count_matrix

REPO = Path(__file__).resolve().parents[1]
R_SCRIPT = Path(__file__).with_suffix(".R")
VEHICLE = "DMSO"
DRUGS = ["Nutlin-3a", "Milademetan", "AMG-232"]
GOALS = {"spearman": 0.999, "jaccard": 0.97}


def simulate_counts(
    genes: int, samples_per_condition: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Negative binomial counts: DMSO and three drugs, realistic mean-dispersion trend.

    Mean expression is log-normal (median ~60 reads, long tails both ways), the
    dispersion follows DESeq2's parametric trend ``0.05 + 2 / mean`` with log-normal
    scatter, and each drug changes ~10% of genes (log2 fold changes ~ N(0, 1.5)).
    Size factors vary by ~25% between samples.

    Returns
    -------
    counts : DataFrame
        ``gene_id``, ``gene_name`` and one integer column per sample.
    samples : DataFrame
        ``sample`` and ``condition`` columns.
    """
    conditions = [VEHICLE, *DRUGS]
    matrix, group = de_count_matrix(
        len(conditions), samples_per_condition, genes, np.random.default_rng(seed)
    )
    condition = np.array(conditions)[group]
    names = [f"{c}_{i % samples_per_condition + 1}" for i, c in enumerate(condition)]
    gene_ids = [f"G{i:05d}" for i in range(genes)]
    counts = pd.DataFrame(matrix.T, columns=names)
    counts.insert(0, "gene_name", gene_ids)
    counts.insert(0, "gene_id", gene_ids)
    return counts, pd.DataFrame({"sample": names, "condition": condition})


@dataclass(frozen=True)
class Run:
    """One timed subprocess."""

    label: str
    wall: float  # seconds
    cpu: float  # seconds, user + system, the process and its waited-for children
    peak_rss: float  # MB
    detail: str
    tables: dict[str, pd.DataFrame]  # contrast name -> results


def timed(command: list[str], log: Path) -> tuple[float, float, float, str]:
    """Run ``command``; return wall and CPU seconds, peak RSS (MB), stdout + stderr."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "workflow" / "scripts")}
    start = time.perf_counter()
    with log.open("w") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = log.read_text()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-5000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


def read_tables(directory: Path, contrasts: list[str]) -> dict[str, pd.DataFrame]:
    """The result table of each contrast, indexed by gene_id."""
    return {
        name: pd.read_csv(directory / f"{name}.tsv", sep="\t", dtype={"gene_id": str}).set_index(
            "gene_id"
        )
        for name in contrasts
    }


def run_r(work: Path, args: argparse.Namespace, contrasts: list[str]) -> Run:
    """R DESeq2 on the benchmark's counts."""
    out = work / "r"
    out.mkdir(exist_ok=True)
    command = ["Rscript", str(R_SCRIPT), str(work / "counts.tsv"), str(work / "samples.tsv")]
    command += [args.reference, str(args.min_count), str(args.alpha), str(out)]
    wall, cpu, rss, output = timed(command, work / "r.log")
    version = output.strip().splitlines()[-1].strip()
    return Run(f"R DESeq2 {version}", wall, cpu, rss, "", read_tables(out, contrasts))


def run_python(work: Path, args: argparse.Namespace, inference: str, contrasts: list[str]) -> Run:
    """The workflow's DE step (``drugsig.diffexp.deseq.write_de``) with the given inference."""
    out = work / inference
    out.mkdir(exist_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "_worker", inference, str(work)]
    command += [str(out), args.reference, str(args.n_cpus), str(args.min_count), str(args.alpha)]
    command += ["--shrink"] if args.shrink else []
    command += ["--no-r-parity"] if args.no_r_parity else []
    wall, cpu, rss, output = timed(command, work / f"{inference}.log")
    de_seconds = json.loads(output.strip().splitlines()[-1])["de"]
    label = {
        "vectorized": f"drugsig DE, VectorizedInference (n_cpus={args.n_cpus})",
        "default": f"drugsig DE, pydeseq2 DefaultInference (n_cpus={args.n_cpus})",
    }[inference]
    detail = f"(DE step {de_seconds:.1f} s, start-up + imports + exit {wall - de_seconds:.1f} s)"
    return Run(label, wall, cpu, rss, detail, read_tables(out, contrasts))


def worker(argv: list[str]) -> None:
    """Subprocess entry point: run ``drugsig.diffexp.deseq.write_de`` as the ``deseq2`` rule does.

    Timed from the parent, so start-up and imports count; prints the DE step's seconds.
    """
    inference_name, work, out, vehicle, n_cpus, min_count, alpha = argv[:7]
    from pydeseq2.default_inference import DefaultInference

    from drugsig.diffexp.deseq import write_de
    from drugsig.diffexp.inference import VectorizedInference
    from drugsig.inputs.design import build_contrasts
    from drugsig.inputs.schema import fill_defaults, load_schema
    from drugsig.inputs.sheets import load_samples

    start = time.perf_counter()
    cfg = {  # the workflow's defaults (config schema), then this run's settings
        **fill_defaults({"diffexp": {}}, load_schema("config"))["diffexp"],
        "vehicle": vehicle,
        "min_count": int(min_count),
        "alpha": float(alpha),
        "shrink": "--shrink" in argv,
        "n_cpus": int(n_cpus),
        "r_parity": "--no-r-parity" not in argv,
    }
    inference = (VectorizedInference if inference_name == "vectorized" else DefaultInference)(
        n_cpus=int(n_cpus)
    )
    samples = Path(work) / "samples.tsv"
    names = [contrast.name for contrast in build_contrasts(load_samples(samples), cfg)]
    write_de(
        counts=Path(work) / "counts.tsv",
        samples=samples,
        diffexp_cfg=cfg,
        tables=[Path(out) / f"{name}.tsv" for name in names],
        normalized=Path(out) / "normalized_counts.tsv",
        contrasts=Path(out) / "contrasts.tsv",
        inference=inference,
    )
    print(json.dumps({"de": time.perf_counter() - start}))


def concordance(ours: pd.DataFrame, reference: pd.DataFrame, alpha: float) -> dict[str, float]:
    """Spearman of log2FC, Jaccard of padj < alpha sets, max relative baseMean diff."""
    joined = ours.join(reference, how="inner", lsuffix="_ours", rsuffix="_ref")
    lfc = joined[["log2FoldChange_ours", "log2FoldChange_ref"]].dropna()
    significant_ours = set(joined.index[joined["padj_ours"] < alpha])
    significant_ref = set(joined.index[joined["padj_ref"] < alpha])
    union = significant_ours | significant_ref
    base = joined[joined["baseMean_ref"] > 0]
    return {
        "genes": len(joined),
        "spearman": float(spearmanr(lfc.iloc[:, 0], lfc.iloc[:, 1])[0]),
        "jaccard": len(significant_ours & significant_ref) / len(union) if union else 1.0,
        "n_ours": len(significant_ours),
        "n_ref": len(significant_ref),
        "basemean": float(
            ((base["baseMean_ours"] - base["baseMean_ref"]).abs() / base["baseMean_ref"]).max()
        ),
    }


def fastest(runs: list[Run]) -> Run:
    """The fastest of repeated runs of one job (the machine may be shared)."""
    best = min(runs, key=lambda r: r.wall)
    if len(runs) == 1:
        return best
    walls = ", ".join(f"{r.wall:.1f}" for r in runs)
    return replace(best, detail=f"{best.detail} [best of {walls} s]".strip())


def report(runs: list[Run], reference: Run | None, alpha: float) -> None:
    """Print concordance with ``reference``, the timings of all runs and the goals."""
    goals_met = reference is not None
    if reference is not None:
        print(
            f"\nConcordance with {reference.label} (goals: Spearman >= {GOALS['spearman']}, "
            f"Jaccard >= {GOALS['jaccard']}; baseMean: max relative difference)"
        )
        for run in runs:
            print(f"  {run.label}")
            for name, table in run.tables.items():
                c = concordance(table, reference.tables[name], alpha)
                if run is runs[0]:
                    goals_met &= c["spearman"] >= GOALS["spearman"]
                    goals_met &= c["jaccard"] >= GOALS["jaccard"]
                print(
                    f"    {name:24s} genes {c['genes']:6d}  Spearman {c['spearman']:.5f}  "
                    f"Jaccard {c['jaccard']:.4f} ({c['n_ours']} vs {c['n_ref']} at padj < "
                    f"{alpha})  baseMean {c['basemean']:.1e}"
                )
    print("\nWall time (subprocess, incl. start-up and imports), CPU time and peak RSS")
    for run in [*runs, *([reference] if reference else [])]:
        ratio = f"{run.wall / reference.wall:5.2f} x R" if reference else ""
        print(
            f"  {run.label:55s} {run.wall:6.1f} s wall {run.cpu:6.1f} s CPU "
            f"{run.peak_rss:6.0f} MB  {ratio}  {run.detail}"
        )
    if reference is not None:
        goals_met &= runs[0].wall <= reference.wall
        print(f"\nGoals (concordance, no slower than R) met by {runs[0].label}: {goals_met}")


def main() -> None:
    """Command line entry point."""
    if sys.argv[1:2] == ["_worker"]:
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--genes", type=int, default=20000)
    parser.add_argument("--samples-per-condition", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--counts", type=Path, help="count matrix TSV instead of simulating")
    parser.add_argument("--samples", type=Path, help="samples TSV (sample, condition)")
    parser.add_argument("--reference", default=VEHICLE, help="reference condition")
    parser.add_argument("--min-count", type=int, default=10)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--n-cpus", type=int, default=2)
    parser.add_argument("--shrink", action="store_true", help="add apeGLM shrinkage (ours)")
    parser.add_argument(
        "--no-r-parity", action="store_true",
        help="pydeseq2's dispersion and filtering rules (diffexp.r_parity: false)",
    )  # fmt: skip
    parser.add_argument("--skip-r", action="store_true", help="do not run R DESeq2")
    parser.add_argument("--with-default", action="store_true", help="also DefaultInference")
    parser.add_argument("--keep", type=Path, help="keep inputs and results in this directory")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; fastest run kept")
    args = parser.parse_args()
    if (args.counts is None) != (args.samples is None):
        parser.error("--counts and --samples go together")
    with tempfile.TemporaryDirectory(prefix="deseq2_vs_r.") as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        if args.counts is None:
            counts, samples = simulate_counts(args.genes, args.samples_per_condition, args.seed)
            source = (
                f"simulated, seed {args.seed}: {args.genes} genes x {len(samples)} samples "
                f"({args.samples_per_condition} per condition)"
            )
        else:
            counts = pd.read_csv(args.counts, sep="\t", dtype={"gene_id": str})
            samples = pd.read_csv(args.samples, sep="\t", dtype=str)[["sample", "condition"]]
            if "gene_name" not in counts:
                counts.insert(1, "gene_name", counts["gene_id"])
            source = f"{args.counts}: {len(counts)} genes x {len(samples)} samples"
        counts[["gene_id", "gene_name", *samples["sample"]]].to_csv(
            work / "counts.tsv", sep="\t", index=False
        )
        samples.to_csv(work / "samples.tsv", sep="\t", index=False)
        levels = [c for c in dict.fromkeys(samples["condition"]) if c != args.reference]
        contrasts = [f"{level}_vs_{args.reference}" for level in levels]
        print(f"Counts: {source}; contrasts: {', '.join(contrasts)}")
        print(f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.2f}")
        inferences = ["vectorized", *(["default"] if args.with_default else [])]
        jobs = [partial(run_python, work, args, inference, contrasts) for inference in inferences]
        if not args.skip_r:
            jobs.append(partial(run_r, work, args, contrasts))
        # rounds of all jobs, so that a change of load affects them alike
        rounds = [[job() for job in jobs] for _ in range(args.repeat)]
        best = [fastest(list(runs)) for runs in zip(*rounds, strict=True)]
        reference = None if args.skip_r else best.pop()
        report(best, reference, args.alpha)


if __name__ == "__main__":
    main()
