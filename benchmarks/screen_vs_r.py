"""Screens with many compounds: the DE step's time and concordance against R DESeq2.

Simulates seeded screens of K compounds x 3 replicates + 12 DMSO wells (15,000 genes by
default) for each K of ``--k`` and prints, per K, one row:

* ``n``: samples; ``ours wall / CPU``: the workflow's DE step
  (:func:`drugsig.diffexp.deseq.differential_expression`: one pydeseq2 fit
  ``~group``, a Wald test and apeGLM shrinkage per compound, ``VectorizedInference``),
  timed in-process (CPU time includes every thread);
* ``R wall / CPU``: R DESeq2 (``benchmarks/deseq2_vs_r.R``: ``DESeq()`` and one
  ``results()`` per compound, no shrinkage), a subprocess timed with ``wait4``;
  ``ratio``: our wall time over R's;
* ``Jaccard min / median``: over compounds, of the padj < alpha gene sets, ours vs R;
* ``fast vs full``: largest difference of the shrunken log2 fold change (and of its
  standard error) between the one-factor fast path used for screens
  (:mod:`drugsig.diffexp.one_factor`) and the general apeGLM fit on the full
  ``(K + 1)``-column design, on ``--full-genes`` genes and ``--full-contrasts``
  compounds (the general path costs ~K^2 per contrast; skipped above ``--full-max-k``).

R results and times are cached under ``--cache`` (per K, seed and gene count, with the
simulated inputs), so a rerun only runs R where the cache lacks it. R at K = 100 takes
about an hour: it runs only with ``--r-100`` (otherwise its time prints as "not run").

    python benchmarks/screen_vs_r.py --cache /tmp/screens               # K = 10, 30, 100
    python benchmarks/screen_vs_r.py --cache /tmp/screens --k 10 30 --genes 3000
    python benchmarks/screen_vs_r.py --cache /tmp/screens --r-100       # also R at K=100
    python benchmarks/screen_vs_r.py --cache /tmp/screens --no-r        # ours only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
R_SCRIPT = Path(__file__).with_name("deseq2_vs_r.R")
VEHICLE = "DMSO"
N_DMSO = 12
N_REPLICATES = 3


def simulate_screen(n_compounds: int, seed: int, n_genes: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Negative binomial counts of a screen: 12 DMSO wells and K compounds x 3 replicates.

    Gene means are log-normal (median 150 reads), dispersions ``4 / mean + 0.05`` with
    log-normal scatter (sd 0.5), each compound changes 2% of genes (log2 fold change
    ~ N(0, 1.5)), size factors vary by ~20%.

    Parameters
    ----------
    n_compounds : int
        Number of compounds K.
    seed : int
        Random seed.
    n_genes : int
        Number of genes.

    Returns
    -------
    counts : DataFrame
        ``gene_id``, ``gene_name`` and one integer column per sample.
    samples : DataFrame
        ``sample`` and ``condition`` columns.
    """
    rng = np.random.default_rng(seed)
    mu = np.exp(rng.normal(np.log(150.0), 1.8, n_genes)).clip(0.5, 2e5)
    disp = (4.0 / mu + 0.05) * np.exp(rng.normal(0.0, 0.5, n_genes))
    rows, means = [], []
    for replicate in range(N_DMSO):
        rows.append((f"{VEHICLE}_{replicate + 1}", VEHICLE))
        means.append(mu)
    for compound in range(n_compounds):
        lfc = np.zeros(n_genes)
        de = rng.random(n_genes) < 0.02
        lfc[de] = rng.normal(0.0, 1.5, de.sum())
        for replicate in range(N_REPLICATES):
            rows.append((f"C{compound + 1:03d}_{replicate + 1}", f"C{compound + 1:03d}"))
            means.append(mu * 2.0**lfc)
    size_factors = np.exp(rng.normal(0.0, 0.2, len(rows)))
    mean = np.column_stack(means) * size_factors
    shape = 1.0 / disp[:, None]
    matrix = rng.poisson(rng.gamma(shape, mean / shape))
    samples = pd.DataFrame(rows, columns=["sample", "condition"])
    gene_ids = [f"G{i:05d}" for i in range(n_genes)]
    counts = pd.DataFrame(matrix, columns=samples["sample"])
    counts.insert(0, "gene_name", gene_ids)
    counts.insert(0, "gene_id", gene_ids)
    return counts, samples


def prepare(work: Path, k: int, seed: int, genes: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate (or read back) the screen's inputs in ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    if not (work / "samples.tsv").exists():
        counts, samples = simulate_screen(k, seed, genes)
        counts.to_csv(work / "counts.tsv", sep="\t", index=False)
        samples.to_csv(work / "samples.tsv", sep="\t", index=False)
    counts = pd.read_csv(work / "counts.tsv", sep="\t", dtype={"gene_id": str, "gene_name": str})
    samples = pd.read_csv(work / "samples.tsv", sep="\t", dtype=str)
    return counts, samples


def run_r(work: Path, min_count: int, alpha: float) -> dict[str, float | str]:
    """R DESeq2 on ``work``'s inputs (cached in ``work/r``); its wall and CPU seconds."""
    timing = work / "r_time.json"
    if timing.exists():
        return dict(json.loads(timing.read_text()))
    out = work / "r"
    out.mkdir(exist_ok=True)
    command = ["Rscript", str(R_SCRIPT), str(work / "counts.tsv"), str(work / "samples.tsv")]
    command += [VEHICLE, str(min_count), str(alpha), str(out)]
    load = os.getloadavg()[0]
    start = time.perf_counter()
    with (work / "r.log").open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"R failed, see {work / 'r.log'}")
    result = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "load": load,
        "version": (work / "r.log").read_text().strip().splitlines()[-1].strip(),
    }
    timing.write_text(json.dumps(result))
    return result


def r_tables(work: Path, levels: list[str]) -> dict[str, pd.DataFrame]:
    """R's result table of each compound, indexed by gene_id."""
    return {
        level: pd.read_csv(
            work / "r" / f"{level}_vs_{VEHICLE}.tsv", sep="\t", dtype={"gene_id": str}
        ).set_index("gene_id")
        for level in levels
    }


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process (all threads) and its waited-for children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def diffexp_config(args: argparse.Namespace) -> dict[str, Any]:
    """The ``diffexp`` config section of the run: the schema's defaults plus the options."""
    from drugsig.inputs.schema import fill_defaults, load_schema

    section = load_schema("config")["properties"]["diffexp"]
    cfg = fill_defaults({}, section)
    cfg.update(
        vehicle=VEHICLE,
        covariates=[],
        min_count=args.min_count,
        alpha=args.alpha,
        n_cpus=args.n_cpus,
        shrink=not args.no_shrink,
    )
    if args.r_parity is not None:
        cfg["r_parity"] = args.r_parity == "on"
    return cfg


def run_ours(
    counts: pd.DataFrame,
    samples: pd.DataFrame,
    cfg: dict[str, Any],
) -> tuple[float, float, dict[str, pd.DataFrame]]:
    """The workflow's DE step in-process; wall and CPU seconds and the result tables."""
    from drugsig.diffexp.deseq import differential_expression
    from drugsig.diffexp.inference import VectorizedInference
    from drugsig.inputs.design import build_contrasts

    sheet = samples.set_index("sample", drop=False)
    sheet.index.name = "sample"
    sheet = sheet.drop(columns="sample")
    contrasts = build_contrasts(sheet, cfg)
    cpu, start = _cpu_seconds(), time.perf_counter()
    result = differential_expression(
        counts,
        sheet,
        contrasts,
        cfg,
        VectorizedInference(n_cpus=cfg["n_cpus"]),
    )
    wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    tables = {
        name.removesuffix(f"_vs_{VEHICLE}"): table.set_index("gene_id")
        for name, table in result.tables.items()
    }
    return wall, cpu, tables


def jaccard(ours: pd.DataFrame, theirs: pd.DataFrame, alpha: float) -> float:
    """Jaccard index of the padj < alpha gene sets."""
    a = set(ours.index[ours["padj"] < alpha])
    b = set(theirs.index[theirs["padj"] < alpha])
    return len(a & b) / len(a | b) if a | b else 1.0


def fast_vs_full(
    counts: pd.DataFrame, samples: pd.DataFrame, args: argparse.Namespace, n_contrasts: int
) -> tuple[float, float]:
    """Largest |difference| (log2) of shrunken LFC and SE, one-factor path vs full design.

    Fits pydeseq2 (``VectorizedInference``) on the first ``--full-genes`` genes that pass
    the count filter, then shrinks ``n_contrasts`` compounds (first, middle, last) both
    ways on identical inputs.
    """
    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.ds import DeseqStats

    from drugsig.diffexp.inference import VectorizedInference

    matrix = counts.set_index("gene_id")[list(samples["sample"])]
    matrix = matrix[matrix.sum(axis=1) >= args.min_count].iloc[: args.full_genes]
    levels = sorted(set(samples["condition"]) - {VEHICLE})
    codes = {VEHICLE: "g000", **{level: f"g{i + 1:03d}" for i, level in enumerate(levels)}}
    metadata = pd.DataFrame(
        {"group": samples["condition"].map(codes).to_numpy()}, index=samples["sample"]
    )
    inference = VectorizedInference(n_cpus=args.n_cpus)
    dds = DeseqDataSet(
        counts=matrix.T, metadata=metadata, design="~group", inference=inference, quiet=True
    )
    dds.deseq2()
    picks = sorted({0, len(levels) // 2, len(levels) - 1})[:n_contrasts]
    worst_lfc = worst_se = 0.0
    for pick in picks:
        code = codes[levels[pick]]
        shrunk = []
        for fast in (True, False):
            stats = DeseqStats(
                dds,
                contrast=["group", code, "g000"],
                inference=VectorizedInference(n_cpus=args.n_cpus, one_factor_shrinkage=fast),
                quiet=True,
            )
            stats.summary()
            stats.lfc_shrink(coeff=f"group[T.{code}]")
            shrunk.append(stats.results_df[["log2FoldChange", "lfcSE"]].to_numpy())
        difference = np.abs(shrunk[0] - shrunk[1])
        worst_lfc = max(worst_lfc, float(np.nanmax(difference[:, 0])))
        worst_se = max(worst_se, float(np.nanmax(difference[:, 1])))
    return worst_lfc, worst_se


def run_k(k: int, args: argparse.Namespace) -> dict[str, Any]:
    """One row of the table: our DE step, R's (cached), concordance, fast vs full."""
    work = args.cache / f"k{k}_s{args.seed}_g{args.genes}"
    counts, samples = prepare(work, k, args.seed, args.genes)
    cfg = diffexp_config(args)
    load = os.getloadavg()[0]
    wall, cpu, ours = run_ours(counts, samples, cfg)
    row: dict[str, Any] = {"k": k, "n": len(samples), "wall": wall, "cpu": cpu, "load": load}
    r_time = work / "r_time.json"
    if r_time.exists():
        timing = json.loads(r_time.read_text())
        row["r_wall"], row["r_cpu"] = timing["wall"], timing["cpu"]
        theirs = r_tables(work, sorted(ours))
        scores = [jaccard(ours[level], theirs[level], args.alpha) for level in sorted(ours)]
        row["jaccard_min"], row["jaccard_median"] = min(scores), float(np.median(scores))
        row["jaccard_first_middle_last"] = [scores[0], scores[len(scores) // 2], scores[-1]]
    if k <= args.full_max_k and args.full_contrasts > 0:
        row["fast_vs_full"] = fast_vs_full(counts, samples, args, args.full_contrasts)
    print(json.dumps(row), flush=True)
    return row


def print_table(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """Print the summary table and the growth ratios."""
    print(
        f"\nDE step (shrink={not args.no_shrink}, r_parity={args.r_parity or 'default'}), "
        f"{args.genes} genes, 12 DMSO + K x 3; "
        f"{os.cpu_count()} CPUs, n_cpus={args.n_cpus}"
    )
    header = (
        f"{'K':>4} {'n':>4} {'ours wall':>10} {'ours CPU':>9} {'R wall':>8} {'R CPU':>8} "
        f"{'ratio':>6} {'Jacc min':>9} {'Jacc med':>9} {'fast-full LFC':>14} {'SE':>8} {'load':>5}"
    )
    print(header)
    for row in rows:
        r_wall = f"{row['r_wall']:8.1f}" if "r_wall" in row else f"{'not run':>8}"
        r_cpu = f"{row['r_cpu']:8.1f}" if "r_cpu" in row else f"{'-':>8}"
        ratio = f"{row['wall'] / row['r_wall']:6.2f}" if "r_wall" in row else f"{'-':>6}"
        jmin = f"{row['jaccard_min']:9.4f}" if "jaccard_min" in row else f"{'-':>9}"
        jmed = f"{row['jaccard_median']:9.4f}" if "jaccard_median" in row else f"{'-':>9}"
        lfc, se = row.get("fast_vs_full", (None, None))
        full = f"{lfc:14.1e} {se:8.1e}" if lfc is not None else f"{'-':>14} {'-':>8}"
        print(
            f"{row['k']:4d} {row['n']:4d} {row['wall']:10.1f} {row['cpu']:9.1f} {r_wall} "
            f"{r_cpu} {ratio} {jmin} {jmed} {full} {row['load']:5.2f}"
        )
    by_k = {row["k"]: row for row in rows}
    if 30 in by_k and 100 in by_k:
        print(
            f"growth t(100) / t(30): wall {by_k[100]['wall'] / by_k[30]['wall']:.2f}, "
            f"CPU {by_k[100]['cpu'] / by_k[30]['cpu']:.2f} (goal <= 4)"
        )


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, required=True, help="inputs and R results")
    parser.add_argument("--k", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--genes", type=int, default=15000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-count", type=int, default=10)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--n-cpus", type=int, default=2)
    parser.add_argument("--r-only", action="store_true", help="only simulate and run R")
    parser.add_argument("--no-r", action="store_true", help="never run R (use the cache)")
    parser.add_argument("--r-100", action="store_true", help="run R at K >= 100 too")
    parser.add_argument("--no-shrink", action="store_true", help="leave apeGLM shrinkage out")
    parser.add_argument(
        "--r-parity", choices=["on", "off"], help="diffexp.r_parity (default: the schema's)"
    )
    parser.add_argument("--full-genes", type=int, default=1000)
    parser.add_argument("--full-contrasts", type=int, default=3)
    parser.add_argument("--full-max-k", type=int, default=30)
    args = parser.parse_args()
    for k in args.k:
        work = args.cache / f"k{k}_s{args.seed}_g{args.genes}"
        prepare(work, k, args.seed, args.genes)
        if not args.no_r and (k < 100 or args.r_100):
            print(f"K={k}: R", run_r(work, args.min_count, args.alpha), flush=True)
    if args.r_only:
        return
    rows = [run_k(k, args) for k in args.k]
    print_table(rows, args)


if __name__ == "__main__":
    main()
