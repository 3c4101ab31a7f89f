"""Concentration-response stage: speed against the DE step, BMC recovery, demo potency.

Prints, never asserts (a benchmark, not a test):

1. **Simulation** (``--genes`` Hill genes, k 0.2-5, n 1-4, |top| 1-3 log2, SD 0.25,
   0/0.1/0.3/1/3/10 x 3 replicates, BMR 1.5-fold): share of BMCs within 2x of the truth
   with AICc model choice; coverage of the 95% BMCL-BMCU interval with the Hill model
   known, and after AICc choice.
2. **Demo** (``--demo DIR``: the working directory of a finished demo run): the
   modelling job's time (``results/benchmarks/concentration_response_fit.tsv`` and the
   per-series ``seconds`` of ``series.tsv``) against the DE job's
   (``results/benchmarks/deseq2.tsv``), and the potency ratios with their 95% CIs
   against the planted EC50 ratios and the planted ratio of BMCs at the BMR.
3. **Kidney** (``--kidney DIR``, default ``../shared/data/zhou_kidney_pce``, skipped
   when absent): DESeq2 (pydeseq2, Wald test of every dose against vehicle), the
   workflow's VST, and :func:`drugsig.concentration_response.run_fits` (fallback trend
   test + models + BMC/BMCL/BMCU), each timed on this machine.

    .venv/bin/python benchmarks/concentration_response.py --demo /path/to/demo/workdir
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflow" / "scripts"))

from drugsig.concentration_response import BMR, fit_concentration_response, run_fits  # noqa: E402

CONC = np.repeat([0.0, 0.1, 0.3, 1.0, 3.0, 10.0], 3)
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
    "bootstrap": 2000,
    "seed": 42,
}


def simulate(n_genes: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """Hill genes and their true BMC at a 1.5-fold BMR."""
    rng = np.random.default_rng(seed)
    k = np.exp(rng.uniform(np.log(0.2), np.log(5), n_genes))
    n = rng.uniform(1, 4, n_genes)
    amp = rng.choice([-1, 1], n_genes) * rng.uniform(1, 3, n_genes)
    c = CONC[None, :]
    mu = 8 + amp[:, None] * c ** n[:, None] / (k[:, None] ** n[:, None] + c ** n[:, None])
    y = mu + rng.normal(0, 0.25, mu.shape)
    h = np.log2(1.5) / np.abs(amp)
    index = [f"g{i}" for i in range(n_genes)]
    return pd.DataFrame(y, index=index), pd.Series(k * (h / (1 - h)) ** (1 / n), index=index)


def simulation(n_genes: int) -> None:
    """Print BMC recovery and interval coverage."""
    fold = BMR(kind="fold", fold=1.5)
    expr, truth = simulate(n_genes, 1)
    start = time.perf_counter()
    chosen = fit_concentration_response(expr, CONC, bmr=fold, ci_level=0.95)
    seconds = time.perf_counter() - start
    ratio = chosen["bmc"] / truth
    within = np.mean((ratio > 0.5) & (ratio < 2))
    covered = (chosen["bmcl"] <= truth) & (chosen["bmcu"].fillna(np.inf) >= truth)
    known = fit_concentration_response(
        expr, CONC, models=("const", "hill"), bmr=fold, ci_level=0.95
    )
    known_covered = (known["bmcl"] <= truth) & (known["bmcu"].fillna(np.inf) >= truth)
    print(f"## Simulation: {n_genes} Hill genes ({seconds:.2f} s for all six models)")
    print(f"BMC within 2x of the truth (AICc choice): {within:.3f}")
    print(f"95% interval coverage, Hill known: {known_covered.mean():.3f}")
    print(f"95% interval coverage, after AICc choice: {covered.mean():.3f}")
    print("models chosen:", chosen["model"].value_counts().to_dict())


def demo(workdir: Path) -> None:
    """Print the demo's timings and potency ratios against the truth."""
    results = workdir / "results"
    print(f"\n## Demo ({workdir})")
    for rule in ("deseq2", "concentration_response_fit"):
        path = results / "benchmarks" / f"{rule}.tsv"
        if path.is_file():
            row = pd.read_csv(path, sep="\t").iloc[0]
            print(
                f"{rule}: wall {row['s']:.2f} s, CPU {row['cpu_time']:.2f} s, "
                f"RSS {row['max_rss']:.0f} MB"
            )
    series = pd.read_csv(results / "concentration_response" / "series.tsv", sep="\t")
    print(f"modelling proper (sum over series): {series['seconds'].sum():.3f} s")
    print(series[["drug", "time", "trend_test", "n_responsive", "n_bmc", "seconds"]].to_string())
    potency = pd.read_csv(results / "concentration_response" / "potency.tsv", sep="\t")
    truth = pd.read_csv(
        workdir / "resources" / "demo" / "truth_concentration_response.tsv", sep="\t"
    )
    genes = pd.read_csv(results / "concentration_response" / "genes.tsv", sep="\t")
    for row in potency.itertuples():
        ec50 = truth.groupby("drug")["ec50_um"].first()
        hill = truth.groupby("drug")["hill"].first()
        planted = ec50[row.reference_drug] / ec50[row.drug]
        # planted BMC ratio of a gene with top 2.5 at the median BMR of the reference
        delta = genes.loc[genes["drug"] == row.reference_drug, "bmr_delta"].median()
        share = delta / (2.5 - delta)
        bmc = {d: ec50[d] * share ** (1 / hill[d]) for d in (row.drug, row.reference_drug)}
        print(
            f"{row.drug} vs {row.reference_drug} ({row.time}): ratio {row.ratio:.3g} "
            f"[{row.ci_low:.3g}, {row.ci_high:.3g}] on {row.n_genes} genes; planted EC50 ratio "
            f"{planted:.3g}, planted BMC ratio ~{bmc[row.reference_drug] / bmc[row.drug]:.3g}; "
            f"{row.reference_drug}:{row.drug} = {1 / row.ratio:.3g} "
            f"[{1 / row.ci_high:.3g}, {1 / row.ci_low:.3g}]"
        )


def kidney(folder: Path) -> None:
    """Time DESeq2, the VST and the modelling on the Zhou kidney PCE data."""
    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.default_inference import DefaultInference
    from pydeseq2.ds import DeseqStats

    from drugsig.report.plots.samples import variance_stabilise

    counts = pd.read_csv(folder / "counts.csv.gz", index_col=0)
    counts = counts[counts.sum(axis=1) >= 10]
    doses = pd.read_csv(folder / "samples.csv", index_col=0).loc[counts.columns, "dose"]
    print(f"\n## Kidney ({len(counts)} genes with >= 10 reads x {counts.shape[1]} samples)")
    levels = [f"d{str(d).replace('.', 'p')}" for d in doses]
    start = time.perf_counter()
    dds = DeseqDataSet(
        counts=counts.T,
        metadata=pd.DataFrame({"dose": levels}, index=counts.columns),
        design="~dose",
        inference=DefaultInference(n_cpus=2),
        quiet=True,
    )
    dds.deseq2()
    for level in sorted(set(levels) - {"d0p0"}):
        stats = DeseqStats(dds, contrast=["dose", level, "d0p0"], quiet=True)
        stats.summary()
    de_seconds = time.perf_counter() - start
    table = counts.reset_index().rename(columns={"refseq_id": "gene_id"})
    table.insert(1, "gene_name", table["gene_id"])
    start = time.perf_counter()
    vst = variance_stabilise(table, list(counts.columns))
    vst_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        vst.to_csv(out / "vst.tsv", sep="\t", index=False)
        samples = pd.DataFrame(
            {
                "sample": counts.columns,
                "condition": ["vehicle" if d == 0 else "PCE" for d in doses],
                "dose": [f"{d:g}" for d in doses],
            }
        ).set_index("sample", drop=False)
        start = time.perf_counter()
        run_fits(samples, out / "vst.tsv", SETTINGS, "vehicle", "genotype",
                 out / "genes.tsv", out / "series.tsv", out / "samples.tsv")  # fmt: skip
        fit_seconds = time.perf_counter() - start
        genes = pd.read_csv(out / "genes.tsv", sep="\t").set_index("gene_id")
        series = pd.read_csv(out / "series.tsv", sep="\t")
    print(f"DESeq2 (fit + 4 Wald contrasts, 2 cpus): {de_seconds:.1f} s")
    print(f"VST (blind): {vst_seconds:.1f} s")
    print(
        f"modelling (trend test, 6 models, BMC/BMCL/BMCU): {fit_seconds:.2f} s for "
        f"{series['n_responsive'].sum()} responsive genes ({series['bmr'].iloc[0]})"
    )
    ok = genes[np.isfinite(genes["bmc"])]
    print(f"genes with a BMC: {len(ok)}, median {ok['bmc'].median():.3g} µM-equivalents")
    if "NM_007822" in genes.index:
        row = genes.loc["NM_007822"]
        flags = row["flags"] if isinstance(row["flags"], str) else ""
        print(
            f"Cyp4a14 (NM_007822): {row['model']} {row['direction']}, BMC {row['bmc']:.3g} "
            f"[{row['bmcl']:.3g}, {row['bmcu']:.3g}], flags '{flags}'"
        )


def main() -> None:
    """Parse the arguments and print the three parts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--genes", type=int, default=1000)
    parser.add_argument("--demo", type=Path, help="working directory of a finished demo run")
    parser.add_argument(
        "--kidney", type=Path, default=REPO.parent / "shared" / "data" / "zhou_kidney_pce"
    )
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()}")
    simulation(args.genes)
    if args.demo:
        demo(args.demo)
    if (args.kidney / "counts.csv.gz").is_file():
        kidney(args.kidney)
    else:
        print(f"\nkidney data absent: {args.kidney}")


if __name__ == "__main__":
    main()
