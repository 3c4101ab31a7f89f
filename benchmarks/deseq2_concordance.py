"""DESeq2 concordance on real data: drugsig's inference vs pydeseq2's and R DESeq2.

For every counts dataset of ``../shared/data`` (relative to the repository; the public
data sets described in its ``README.md``) this fits the model the workflow's DE step
fits (:func:`drugsig.diffexp.deseq.write_de`): genes with at least ``--min-count``
reads over the model's samples, ``~group`` with the vehicle / control as reference,
Cook's outliers refitted, a Wald test per treatment level with independent filtering at
``--alpha`` and apeGLM shrinkage (``lfc_shrink``) of that level's coefficient. Models:

* ``pasilla``: treated vs untreated (7 samples, library type ignored);
* ``nutlin_andrysik2017``: Nutlin-3a vs DMSO, HCT116 and MCF7 fitted separately;
* ``a549_beti_chr17``: per cell line (A549, HAP1, K562) and time (1 h, 6 h), JQ1 and
  dBET6 vs DMSO;
* ``zhou_kidney_pce``: one model of the dose series, each dose vs control.

Each model is fitted three times:

(a) as the workflow by default: drugsig's
    :class:`drugsig.diffexp.inference.VectorizedInference` with R DESeq2's dispersion
    and filtering rules (:mod:`drugsig.diffexp.r_parity`; pydeseq2's own with
    ``--no-r-parity``),
(b) pydeseq2 ``DeseqDataSet`` / ``DeseqStats`` with its ``DefaultInference``,
(c) R DESeq2 through ``Rscript``: ``DESeq()`` and ``results(name=...)`` (no shrinkage),

and one row is printed per dataset x contrast: the largest absolute difference of MLE
and of shrunken log2 fold changes between (a) and (b) (and the 99th percentile of the
latter), the Jaccard index of the padj < 0.05 and < 0.1 gene sets of (a) and (c) (for
context also that of (b) and (c) at 0.05), and the number of *collapses* of (a) and (b):
genes with padj < 1e-4 and |MLE log2FC| > 2 whose shrunken log2FC is below half the MLE
in absolute value (each side judged on its own padj and MLE). The goal (issue 11): no
collapse of (a) unless (b) shrinks the gene below half of its own MLE too, whatever
(b)'s padj. Then wall and CPU time of (a) and (c) per dataset:
(a) is the whole DE step in this process (fit, Wald tests, shrinkage; also without the
shrinkage, which R does not do here), (c) is ``DESeq()`` + ``results()`` as timed inside
R (``proc.time``), and the whole ``Rscript`` process including R's start-up and loading
DESeq2.

    python benchmarks/deseq2_concordance.py
    python benchmarks/deseq2_concordance.py --datasets pasilla nutlin_andrysik2017
    python benchmarks/deseq2_concordance.py --cache /tmp/deseq2_r_cache

With ``--cache DIR`` R's results (and its timings) are kept in ``DIR`` under a hash of
the model's input and reused; the R times printed for a reused result are those of the
run that made it. Exits with a message (status 0) when ``../shared/data`` is absent; the
R columns are left empty when ``Rscript`` is not found.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydeseq2.default_inference import DefaultInference
from pydeseq2.inference import Inference

from drugsig.diffexp.inference import VectorizedInference
from drugsig.diffexp.r_parity import deseq_classes

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
GROUP = "group"  # the design factor; levels are codes g00 (reference), g01, ...
COLLAPSE_PADJ = 1e-4
COLLAPSE_MLE = 2.0

R_SCRIPT = r"""
# Usage: Rscript run.R DIR ALPHA. DIR holds counts.tsv (genes x samples) and
# coldata.tsv (sample, group); group g00 is the reference level.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[[1]]
alpha <- as.numeric(args[[2]])
suppressPackageStartupMessages(library(DESeq2))
cts <- as.matrix(read.delim(file.path(dir, "counts.tsv"), row.names = 1, check.names = FALSE,
                            colClasses = c(gene_id = "character")))
cd <- read.delim(file.path(dir, "coldata.tsv"), row.names = 1, colClasses = "character",
                 check.names = FALSE)
cd$group <- relevel(factor(cd$group), ref = "g00")
cts <- cts[, rownames(cd), drop = FALSE]
dds <- DESeqDataSetFromMatrix(cts, cd, design = ~group)
t0 <- proc.time()
dds <- DESeq(dds, quiet = TRUE)
tables <- list()
for (level in setdiff(levels(cd$group), "g00")) {
  tables[[level]] <- results(dds, name = paste0("group_", level, "_vs_g00"), alpha = alpha)
}
t1 <- proc.time()
for (level in names(tables)) {
  res <- tables[[level]]
  out <- data.frame(gene_id = rownames(res), baseMean = res$baseMean,
                    log2FoldChange = res$log2FoldChange, padj = res$padj)
  write.table(out, file.path(dir, paste0("R_", level, ".tsv")), sep = "\t", quote = FALSE,
              row.names = FALSE)
}
d <- t1 - t0
cat(sprintf('{"wall": %.4f, "cpu": %.4f, "version": "%s"}\n', d[["elapsed"]],
            d[["user.self"]] + d[["sys.self"]] + d[["user.child"]] + d[["sys.child"]],
            as.character(packageVersion("DESeq2"))), file = file.path(dir, "R_time.json"))
"""


@dataclass
class Model:
    """One fitted model: a count matrix, its groups and the contrasts against the reference.

    Attributes
    ----------
    dataset : str
        Data set directory name under ``../shared/data``.
    name : str
        Model name, e.g. ``"A549_1h"``.
    counts : DataFrame
        Genes x samples, integer counts of the model's samples only.
    groups : Series
        Group label of each sample (index: the sample names of ``counts``).
    reference : str
        The reference group (vehicle / control).
    treatments : list of str
        The other groups, one contrast each, in output order.
    """

    dataset: str
    name: str
    counts: pd.DataFrame
    groups: pd.Series
    reference: str
    treatments: list[str]

    def codes(self) -> dict[str, str]:
        """Return the factor level code of each group (reference ``g00``)."""
        return {self.reference: "g00"} | {t: f"g{i + 1:02d}" for i, t in enumerate(self.treatments)}

    def filtered(self, min_count: int) -> pd.DataFrame:
        """Return the counts of genes with at least ``min_count`` reads (genes x samples)."""
        return self.counts.loc[self.counts.sum(axis=1) >= min_count]


# --- data sets (layout: ../shared/data/README.md) ----------------------------------------


def pasilla() -> Iterator[Model]:
    """Pasilla: treated vs untreated, ``~condition`` (untreated reference)."""
    counts = pd.read_csv(DATA / "pasilla" / "pasilla_gene_counts.tsv", sep="\t", index_col=0)
    groups = pd.Series([c.rstrip("0123456789") for c in counts.columns], index=counts.columns)
    yield Model("pasilla", "pasilla", counts, groups, "untreated", ["treated"])


def nutlin() -> Iterator[Model]:
    """Andrysik 2017: Nutlin-3a vs DMSO, one model per cell line."""
    directory = DATA / "nutlin_andrysik2017"
    for line in ("HCT116", "MCF7"):
        counts = pd.read_csv(directory / f"Andrysik2017_{line}_counts.tsv", sep="\t", index_col=0)
        samples = pd.read_csv(directory / f"Andrysik2017_{line}_samples.tsv", sep="\t")
        groups = samples.set_index("bamfilename")["condition"]
        counts = counts[list(groups.index)]  # the MCF7 table also has a Length column
        treatments = sorted(set(groups) - {"dmso"})
        yield Model("nutlin_andrysik2017", line, counts, groups, "dmso", treatments)


def a549_beti() -> Iterator[Model]:
    """BET inhibitors on chr17: per cell line and time point, JQ1 and dBET6 vs DMSO."""
    raw = pd.read_csv(
        DATA / "a549_beti_chr17" / "featurecounts_chr17_36samples.txt",
        sep="\t",
        comment="#",
        index_col=0,
    ).iloc[:, 5:]  # Chr, Start, End, Strand, Length
    raw.columns = [Path(c).parent.name for c in raw.columns]
    for line in ("A549", "HAP1", "K562"):
        for hour in ("1h", "6h"):
            cols = [c for c in raw.columns if c.startswith(f"{line}_") and f"_{hour}_" in c]
            groups = pd.Series([c.split("_")[1] for c in cols], index=cols)
            treatments = sorted(set(groups) - {"DMSO"})
            yield Model("a549_beti_chr17", f"{line}_{hour}", raw[cols], groups, "DMSO", treatments)


def zhou_kidney() -> Iterator[Model]:
    """Zhou 2017 kidney PCE dose series: one model, each dose vs control (dose 0)."""
    directory = DATA / "zhou_kidney_pce"
    counts = pd.read_csv(directory / "counts.csv.gz", index_col=0)
    samples = pd.read_csv(directory / "samples.csv", index_col=0)
    groups = samples["dose"].map(lambda dose: f"dose{dose:g}").reindex(counts.columns)
    treatments = [g for g in dict.fromkeys(groups) if g != "dose0"]
    yield Model("zhou_kidney_pce", "kidney", counts, groups, "dose0", treatments)


DATASETS: dict[str, Callable[[], Iterator[Model]]] = {
    "pasilla": pasilla,
    "nutlin_andrysik2017": nutlin,
    "a549_beti_chr17": a549_beti,
    "zhou_kidney_pce": zhou_kidney,
}


# --- fits ----------------------------------------------------------------------------------


@dataclass
class PyFit:
    """Result tables of one pydeseq2 fit and its timings.

    Attributes
    ----------
    tables : dict of str to DataFrame
        Per treatment, indexed by gene: ``baseMean``, ``log2FoldChange`` (MLE),
        ``padj`` and ``shrunk`` (apeGLM log2 fold change).
    wall, cpu : float
        Seconds for the whole DE step (fit, Wald tests, shrinkage), this process.
    shrink_wall, shrink_cpu : float
        The part of them spent in ``lfc_shrink``.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    wall: float = 0.0
    cpu: float = 0.0
    shrink_wall: float = 0.0
    shrink_cpu: float = 0.0


def fit_python(
    model: Model, matrix: pd.DataFrame, inference: Inference, alpha: float, r_parity: bool
) -> PyFit:
    """Fit ``model`` with pydeseq2 and ``inference`` as the workflow's DE step does.

    Parameters
    ----------
    model : Model
        The model (groups, reference, treatments).
    matrix : DataFrame
        Its filtered counts, genes x samples.
    inference : Inference
        Used for the fit, the Wald tests and the shrinkage.
    alpha : float
        FDR level of the independent filtering.
    r_parity : bool
        R DESeq2's dispersion and filtering rules (``diffexp.r_parity``,
        :func:`drugsig.diffexp.r_parity.deseq_classes`) instead of pydeseq2's.

    Returns
    -------
    PyFit
        Result tables and timings (CPU time of this process: all its threads, not
        joblib's worker processes).
    """
    codes = model.codes()
    out = PyFit()
    dataset, statistics = deseq_classes(r_parity)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    dds = dataset(
        counts=matrix.T,
        metadata=pd.DataFrame({GROUP: model.groups[matrix.columns].map(codes)}),
        design=f"~{GROUP}",
        refit_cooks=True,
        inference=inference,
        quiet=True,
    )
    dds.deseq2()
    for treatment in model.treatments:
        code = codes[treatment]
        stats = statistics(
            dds, contrast=[GROUP, code, "g00"], alpha=alpha, inference=inference, quiet=True
        )
        stats.summary()
        table = stats.results_df[["baseMean", "log2FoldChange", "padj"]].copy()
        shrink0, shrink_cpu0 = time.perf_counter(), time.process_time()
        stats.lfc_shrink(coeff=f"{GROUP}[T.{code}]")
        out.shrink_wall += time.perf_counter() - shrink0
        out.shrink_cpu += time.process_time() - shrink_cpu0
        table["shrunk"] = stats.results_df["log2FoldChange"]
        out.tables[treatment] = table
    out.wall = time.perf_counter() - wall0
    out.cpu = time.process_time() - cpu0
    return out


@dataclass
class RFit:
    """R DESeq2 results of one model.

    Attributes
    ----------
    tables : dict of str to DataFrame
        Per treatment, indexed by gene: ``baseMean``, ``log2FoldChange``, ``padj``.
    wall, cpu : float
        Seconds of ``DESeq()`` + ``results()`` as timed inside R.
    process_wall, process_cpu : float
        Seconds of the whole ``Rscript`` process (start-up and loading DESeq2 included).
    version : str
        DESeq2 version.
    cached : bool
        Whether the results were read from the cache.
    """

    tables: dict[str, pd.DataFrame]
    wall: float
    cpu: float
    process_wall: float
    process_cpu: float
    version: str
    cached: bool


def fit_r(model: Model, matrix: pd.DataFrame, alpha: float, cache: Path | None) -> RFit:
    """Fit ``model`` with R DESeq2 (``Rscript``), or read the result from ``cache``.

    Parameters
    ----------
    model : Model
        The model (groups, reference, treatments).
    matrix : DataFrame
        Its filtered counts, genes x samples (the same matrix pydeseq2 gets).
    alpha : float
        FDR level of the independent filtering (``results(alpha=)``).
    cache : Path or None
        Directory of cached R results; the entry is keyed by a hash of the counts,
        groups, ``alpha`` and the R script.

    Returns
    -------
    RFit
        R's result tables and timings.
    """
    codes = model.codes()
    coldata = pd.DataFrame(
        {"sample": matrix.columns, GROUP: model.groups[matrix.columns].map(codes).to_numpy()}
    )
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(matrix, index=True).to_numpy().tobytes())
    digest.update(coldata.to_csv(index=False).encode())
    digest.update(f"{alpha!r}{R_SCRIPT}".encode())
    key = f"{model.dataset}__{model.name}__{digest.hexdigest()[:16]}"
    if cache is not None and (cache / key / "R_time.json").exists():
        return _read_r(cache / key, model, codes, cached=True)
    with tempfile.TemporaryDirectory(prefix="deseq2_concordance_") as tmp:
        work = Path(tmp)
        matrix.rename_axis("gene_id").to_csv(work / "counts.tsv", sep="\t")
        coldata.to_csv(work / "coldata.tsv", sep="\t", index=False)
        script = work / "run.R"
        script.write_text(R_SCRIPT)
        start = time.perf_counter()
        with (work / "R.log").open("w") as log:
            process = subprocess.Popen(
                ["Rscript", str(script), str(work), repr(alpha)], stdout=log, stderr=log
            )
            _, status, usage = os.wait4(process.pid, 0)
        process_wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"Rscript failed on {key}:\n{(work / 'R.log').read_text()[-3000:]}")
        timing = json.loads((work / "R_time.json").read_text())
        timing |= {"process_wall": process_wall, "process_cpu": usage.ru_utime + usage.ru_stime}
        (work / "R_time.json").write_text(json.dumps(timing))
        if cache is not None:
            target = cache / key
            target.mkdir(parents=True, exist_ok=True)
            for path in work.glob("R_*"):
                shutil.copy(path, target / path.name)
        return _read_r(work, model, codes, cached=False)


def _read_r(directory: Path, model: Model, codes: dict[str, str], cached: bool) -> RFit:
    """Read the tables and timings :data:`R_SCRIPT` wrote to ``directory``."""
    tables = {
        treatment: pd.read_csv(
            directory / f"R_{codes[treatment]}.tsv", sep="\t", index_col=0, dtype={"gene_id": str}
        )
        for treatment in model.treatments
    }
    timing = json.loads((directory / "R_time.json").read_text())
    return RFit(
        tables,
        timing["wall"],
        timing["cpu"],
        timing["process_wall"],
        timing["process_cpu"],
        timing["version"],
        cached,
    )


# --- comparison ----------------------------------------------------------------------------


def shrinks_half(table: pd.DataFrame) -> pd.Series:
    """Whether the shrunken log2FC is below half the MLE in absolute value, any padj.

    pydeseq2 "shrinks it too" when this holds for its own MLE and shrunken value: a
    gene our fit calls (padj < 1e-4) but pydeseq2 does not is still shrunk alike, e.g. a
    gene with an all-zero group, whose MLE diverges and whose apeGLM value stays small
    in both (drugsig's R-parity Wald test calls it, as R does; pydeseq2's does not).
    """
    return table["shrunk"].abs() < table["log2FoldChange"].abs() / 2


def collapsed(table: pd.DataFrame) -> pd.Index:
    """Genes with padj < 1e-4, |MLE| > 2 and |shrunken| < |MLE| / 2.

    Parameters
    ----------
    table : DataFrame
        With ``padj``, ``log2FoldChange`` (MLE) and ``shrunk``.

    Returns
    -------
    Index
        The collapsed genes.
    """
    mle = table["log2FoldChange"].abs()
    mask = (table["padj"] < COLLAPSE_PADJ) & (mle > COLLAPSE_MLE) & shrinks_half(table)
    return table.index[mask]


def jaccard(a: pd.Series, b: pd.Series, level: float) -> float:
    """Jaccard index of the genes with padj < ``level`` in ``a`` and in ``b`` (1 if both empty).

    Parameters
    ----------
    a, b : Series
        Adjusted p-values indexed by gene (NaN: not tested).
    level : float
        Threshold.

    Returns
    -------
    float
        ``|A & B| / |A | B|``.
    """
    calls_a, calls_b = set(a.index[a < level]), set(b.index[b < level])
    union = calls_a | calls_b
    return len(calls_a & calls_b) / len(union) if union else 1.0


@dataclass
class Row:
    """Printed comparison of one contrast (see the module docstring for the columns)."""

    dataset: str
    contrast: str
    genes: int
    max_mle_diff: float
    max_shrunk_diff: float
    p99_shrunk_diff: float
    collapse_ours: int
    collapse_pydeseq2: int
    ours_only: int
    jaccard_05: float = np.nan
    jaccard_10: float = np.nan
    jaccard_05_pydeseq2: float = np.nan
    calls_ours_r: str = ""


def compare(
    model: Model, ours: PyFit, default: PyFit, r: RFit | None
) -> tuple[list[Row], list[str]]:
    """One summary row per contrast of ``model``, and notes on every collapsed gene.

    Parameters
    ----------
    model : Model
        The model compared.
    ours, default : PyFit
        Fits with ``VectorizedInference`` and with ``DefaultInference``.
    r : RFit or None
        R's fit, if R ran.

    Returns
    -------
    rows : list of Row
        One per contrast.
    notes : list of str
        One line per gene collapsed by either inference.
    """
    rows, notes = [], []
    for treatment in model.treatments:
        a = ours.tables[treatment]
        b = default.tables[treatment].reindex(a.index)
        mle_diff = (a["log2FoldChange"] - b["log2FoldChange"]).abs()
        shrunk_diff = (a["shrunk"] - b["shrunk"]).abs()
        c_ours, c_default = collapsed(a), collapsed(b)
        contrast = f"{model.name}: {treatment}" if model.name != model.dataset else treatment
        row = Row(
            dataset=model.dataset,
            contrast=f"{contrast} vs {model.reference}",
            genes=len(a),
            max_mle_diff=float(mle_diff.max()),
            max_shrunk_diff=float(shrunk_diff.max()),
            p99_shrunk_diff=float(shrunk_diff.quantile(0.99)),
            collapse_ours=len(c_ours),
            collapse_pydeseq2=len(c_default),
            ours_only=len(c_ours[~shrinks_half(b.loc[c_ours])]),
        )
        if r is not None:
            # R's results for the genes pydeseq2 tested (the same filtered matrix)
            padj_r = r.tables[treatment]["padj"].reindex(a.index)
            row.jaccard_05 = jaccard(a["padj"], padj_r, 0.05)
            row.jaccard_10 = jaccard(a["padj"], padj_r, 0.1)
            row.jaccard_05_pydeseq2 = jaccard(b["padj"], padj_r, 0.05)
            row.calls_ours_r = f"{(a['padj'] < 0.05).sum()}/{(padj_r < 0.05).sum()}"
        rows.append(row)
        for gene in c_ours.union(c_default):
            who = [
                label
                for label, genes in (("ours", c_ours), ("pydeseq2", c_default))
                if gene in genes
            ]
            notes.append(
                f"{row.contrast}: {gene} collapsed by {' and '.join(who)}: MLE "
                f"{a.at[gene, 'log2FoldChange']:.2f} "
                f"(pydeseq2 {b.at[gene, 'log2FoldChange']:.2f}), "
                f"padj {a.at[gene, 'padj']:.1e} ({b.at[gene, 'padj']:.1e}), shrunk "
                f"{a.at[gene, 'shrunk']:.2f} ({b.at[gene, 'shrunk']:.2f})"
            )
    return rows, notes


def print_table(rows: list[Row]) -> None:
    """Print the concordance rows as a Markdown table."""
    header = (
        "| dataset | contrast | genes | max abs MLE diff | max abs shrunk diff | p99 shrunk diff "
        "| Jaccard 0.05 ours-R | Jaccard 0.1 ours-R | Jaccard 0.05 pydeseq2-R | calls 0.05 ours/R "
        "| collapses ours | collapses pydeseq2 |"
    )
    print(header)
    print("|" + "---|" * header.count(" | ") + "---|")
    for row in rows:
        print(
            f"| {row.dataset} | {row.contrast} | {row.genes:,} "
            f"| {row.max_mle_diff:.2g} | {row.max_shrunk_diff:.2g} "
            f"| {row.p99_shrunk_diff:.2g} | {row.jaccard_05:.4f} | {row.jaccard_10:.4f} "
            f"| {row.jaccard_05_pydeseq2:.4f} "
            f"| {row.calls_ours_r} | {row.collapse_ours} | {row.collapse_pydeseq2} |"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the comparison on the chosen data sets and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS), metavar="NAME",
        help=f"data sets to compare (default: all of {', '.join(DATASETS)})",
    )  # fmt: skip
    parser.add_argument("--cache", type=Path, help="directory to keep and reuse R's results in")
    parser.add_argument("--min-count", type=int, default=10, help="gene filter (default: 10)")
    parser.add_argument("--alpha", type=float, default=0.05, help="FDR of the independent filter")
    parser.add_argument("--n-cpus", type=int, default=2, help="threads / workers (default: 2)")
    parser.add_argument(
        "--no-r-parity", action="store_true",
        help="fit (a) with pydeseq2's dispersion and filtering rules (diffexp.r_parity: false)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"{DATA} is absent: nothing to compare (skipped).")
        return 0
    use_r = shutil.which("Rscript") is not None
    if not use_r:
        print("Rscript not found: the R columns are left empty.")
    warnings.filterwarnings("ignore")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {args.n_cpus} CPUs")
    rows: list[Row] = []
    notes: list[str] = []
    timings: list[str] = []
    version = ""
    for name in args.datasets:
        totals = np.zeros(8)  # ours wall, cpu, shrink wall, cpu; R wall, cpu, process wall, cpu
        cached = False
        for model in DATASETS[name]():
            matrix = model.filtered(args.min_count)
            print(f"{name} / {model.name}: {matrix.shape[0]:,} genes x {matrix.shape[1]} samples")
            ours = fit_python(
                model, matrix, VectorizedInference(n_cpus=args.n_cpus), args.alpha,
                r_parity=not args.no_r_parity,
            )  # fmt: skip
            default = fit_python(
                model, matrix, DefaultInference(n_cpus=args.n_cpus), args.alpha, r_parity=False
            )
            r = fit_r(model, matrix, args.alpha, args.cache) if use_r else None
            model_rows, model_notes = compare(model, ours, default, r)
            rows += model_rows
            notes += model_notes
            totals[:4] += (ours.wall, ours.cpu, ours.shrink_wall, ours.shrink_cpu)
            print(f"  ours {ours.wall:.1f} s, pydeseq2 DefaultInference {default.wall:.1f} s")
            if r is not None:
                totals[4:] += (r.wall, r.cpu, r.process_wall, r.process_cpu)
                cached |= r.cached
                version = r.version
        ours_cell = (
            f"{totals[0]:.1f} / {totals[1]:.1f} | {totals[0] - totals[2]:.1f} / "
            f"{totals[1] - totals[3]:.1f}"
        )
        r_cell = (
            f"{totals[4]:.1f} / {totals[5]:.1f} | {totals[6]:.1f} / {totals[7]:.1f}"
            + (" (cached)" if cached else "")
            if use_r
            else "- | -"
        )
        timings.append(f"| {name} | {ours_cell} | {r_cell} |")
    print()
    print(f"R DESeq2 {version or '(not run)'}; min count {args.min_count}, alpha {args.alpha}")
    print()
    print_table(rows)
    print()
    print(
        "| dataset | ours: DE step wall / CPU s | ours without shrinkage | "
        "R: DESeq() + results() wall / CPU s | R: whole Rscript process |"
    )
    print("|---|---|---|---|---|")
    print("\n".join(timings))
    print()
    for note in notes:
        print(note)
    ours_only = sum(row.ours_only for row in rows)
    print(
        f"collapses: ours {sum(row.collapse_ours for row in rows)}, "
        f"pydeseq2 {sum(row.collapse_pydeseq2 for row in rows)}, "
        f"ours where pydeseq2 does not shrink below half (any padj) {ours_only} "
        f"(goal: 0, {'met' if ours_only == 0 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
