"""Pre-ranked gene-set enrichment (GSEA, gseapy ``prerank``) of every contrast.

Gene sets come from GMT files: the curated :data:`CURATED_GMT`
(``drugsig/analysis/data/drugsig_curated.gmt``, see its ``PROVENANCE.md``) and the user's
``genesets.gmt`` files. A set's *source* is its file's name without ``.gmt``. Set names must
be unique over all files.

Ranking: each contrast's genes are ranked by the DESeq2 Wald statistic ``stat``, i.e.
log2 fold change / standard error. It weighs effect size by precision, so noisy
low-count genes with large fold changes do not dominate the ends of the list, and it
is defined for every tested gene. This is the usual pre-ranked GSEA metric for DESeq2
results. Genes without a ``gene_name`` or ``stat`` are left out. Genes are matched to
the sets by symbol, **case-insensitively** (both sides upper-cased). When several
genes share a symbol, the one with the largest ``|stat|`` represents it.

A set is tested when ``genesets.min_size <= size <= genesets.max_size``, where *size*
is the number of its genes in the ranking. The default minimum (3) is low because the
demo genome has only ~220 genes; use 10-15 for real genomes. Skipped sets are named in
a warning. Permutations (``genesets.permutations``, gene-set permutation) use the fixed
``genesets.seed``, so reruns give identical results whatever the number of threads.

Outputs
-------
``results/genesets/{contrast}.tsv``, one row per tested set, sorted by ``fdr``, then
``|nes|`` (descending), then ``set``. When no set can be tested, the file holds only
the header (and a warning says why).

* ``set``: gene-set name.
* ``source``: the GMT file it comes from (file name without ``.gmt``).
* ``size``: number of the set's genes in the contrast's ranking.
* ``nes``: normalized enrichment score. Positive: the set's genes gather at the top
  of the ranking (up in the treatment); negative: at the bottom (down).
* ``pvalue``: nominal permutation p-value. 0 means no permutation reached the
  observed score, i.e. p < 1 / ``genesets.permutations``.
* ``fdr``: GSEA false discovery rate q-value, computed over the sets of this contrast.
* ``leading_edge``: the leading-edge genes (the set's genes that drive the score),
  ``;``-joined, spelled as in the DE table.

``results/genesets/summary.tsv``: every contrast's results stacked, one row per
contrast and set, in contrast order. Columns ``contrast``, ``set``, ``source``,
``nes``, ``fdr``.

``results/genesets/nes_matrix.tsv``: NES as a matrix. One row per contrast (column
``contrast``), one column per set tested in any contrast (sorted by source, then
name); empty where the set was not tested in that contrast.

``results/multiqc/custom/genesets_nes_mqc.tsv``: MultiQC heatmap (section id
``genesets_nes``) of the NES, sets (rows) by contrasts (columns). It shows at most
:data:`MAX_REPORT_SETS` sets, those with the smallest FDR in any contrast.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd

from drugsig.errors import InputError
from drugsig.inputs.files import GZIP_MAGIC, HEAD_BYTES, binary_problem
from drugsig.io import write_table_atomic, write_text_atomic
from drugsig.report.multiqc import DIVERGING_COLOR_STOPS, custom_content
from drugsig.tables import match_contrast_files, read_contrasts, read_de_table

CURATED_GMT = Path(str(files("drugsig.analysis").joinpath("data", "drugsig_curated.gmt")))
"""The curated gene sets shipped with drugsig (provenance in ``data/PROVENANCE.md``)."""

RESULT_COLUMNS = ["set", "source", "size", "nes", "pvalue", "fdr", "leading_edge"]
SUMMARY_COLUMNS = ["contrast", "set", "source", "nes", "fdr"]
MAX_REPORT_SETS = 50
# Diverging blue-white-red (ColorBrewer RdBu), white at NES 0.
_SHOWN_SKIPPED = 10


@dataclass(frozen=True)
class GeneSet:
    """One gene set of a GMT file.

    Attributes
    ----------
    name
        Set name (first GMT field).
    source
        File name without ``.gmt``.
    genes
        Gene symbols, each once (case-insensitively), in file order.
    """

    name: str
    source: str
    genes: tuple[str, ...]


def read_gmt(path: str | Path) -> list[GeneSet]:
    """Read a GMT file: per line a set name, a description and its genes (tab-separated).

    Blank lines are skipped, empty gene fields ignored and repeated genes kept once.

    Raises
    ------
    InputError
        On a line without genes or a set name used twice, naming the file and line;
        on a missing, empty, binary or non-UTF-8 file.
    """
    path = Path(path)
    source = path.name.removesuffix(".gmt")
    sets: list[GeneSet] = []
    lines: dict[str, int] = {}
    for number, line in enumerate(_gmt_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split("\t")]
        name = fields[0]
        genes: dict[str, str] = {}
        for gene in fields[2:]:
            if gene:
                genes.setdefault(gene.upper(), gene)
        if not name or not genes:
            raise InputError(
                f"{path}, line {number}: a GMT line needs a set name, a description and at "
                "least one gene, separated by tabs."
            )
        if name in lines:
            raise InputError(
                f"{path}, line {number}: gene set '{name}' was already defined on line "
                f"{lines[name]}; set names must be unique."
            )
        lines[name] = number
        sets.append(GeneSet(name, source, tuple(genes.values())))
    if not sets:
        raise InputError(f"{path}: the GMT file is empty (no gene sets). {_GMT_FIX}")
    return sets


_GMT_FIX = "Give GMT files (tab-separated text: set name, description, genes) in genesets.gmt."


def _gmt_text(path: Path) -> str:
    """Return a GMT file's text.

    Raises
    ------
    InputError
        If the file is missing, gzip-compressed, a spreadsheet, binary or not UTF-8.
    """
    if not path.is_file():
        raise InputError(f"{path}: GMT file not found (genesets.gmt).")
    data = path.read_bytes()
    problem = (
        "the file is gzip-compressed; decompress it (gunzip)"
        if data.startswith(GZIP_MAGIC)
        else binary_problem(data[:HEAD_BYTES])
    )
    if problem:
        raise InputError(f"{path}: {problem}. {_GMT_FIX}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            f"{path}, line {line}: the file is not UTF-8 text (byte 0x{data[error.start]:02x}). "
            "Save it as UTF-8."
        ) from error


def load_gene_sets(paths: Sequence[str | Path]) -> list[GeneSet]:
    """Read every GMT file, in order.

    Raises
    ------
    InputError
        On a bad GMT file or a set name defined in two files.
    """
    sets: list[GeneSet] = []
    files: dict[str, str] = {}
    for path in paths:
        for gene_set in read_gmt(path):
            if gene_set.name in files:
                raise InputError(
                    f"gene set '{gene_set.name}' is defined in both {files[gene_set.name]} and "
                    f"{path}; set names must be unique over all GMT files (genesets.gmt)."
                )
            files[gene_set.name] = str(path)
            sets.append(gene_set)
    return sets


def ranking(table: pd.DataFrame) -> pd.DataFrame:
    """Rank the contrast's genes: one row per upper-cased symbol, by ``stat`` descending.

    Returns
    -------
    pandas.DataFrame
        Columns ``symbol`` (upper-cased ``gene_name``, unique), ``gene_name`` and
        ``stat``; ties in ``stat`` ordered by ``symbol``.
    """
    genes = table.dropna(subset=["gene_name", "stat"])
    genes = genes.assign(symbol=genes["gene_name"].str.upper(), strength=genes["stat"].abs())
    genes = genes.sort_values(["strength", "gene_id"], ascending=[False, True])
    genes = genes.drop_duplicates("symbol")
    genes = genes.sort_values(["stat", "symbol"], ascending=[False, True])
    return genes[["symbol", "gene_name", "stat"]].reset_index(drop=True)


def _testable(
    ranked: pd.DataFrame, gene_sets: Sequence[GeneSet], min_size: int, max_size: int, label: str
) -> dict[str, list[str]]:
    """Upper-cased genes in the ranking of each set of testable size; warn about others."""
    present = set(ranked["symbol"])
    members = {
        gene_set.name: [gene.upper() for gene in gene_set.genes if gene.upper() in present]
        for gene_set in gene_sets
    }
    skipped = [
        f"{name} ({len(genes)})"
        for name, genes in members.items()
        if not min_size <= len(genes) <= max_size
    ]
    if skipped:
        more = len(skipped) - _SHOWN_SKIPPED
        warnings.warn(
            f"{label}: {len(skipped)} of {len(gene_sets)} gene sets skipped, with fewer than "
            f"genesets.min_size ({min_size}) or more than genesets.max_size ({max_size}) genes "
            "in the ranking: "
            + ", ".join(skipped[:_SHOWN_SKIPPED])
            + (f" and {more} more" if more > 0 else "")
            + ".",
            stacklevel=3,
        )
    return {name: genes for name, genes in members.items() if min_size <= len(genes) <= max_size}


def prerank(
    table: pd.DataFrame,
    gene_sets: Sequence[GeneSet],
    min_size: int,
    max_size: int,
    permutations: int,
    seed: int,
    threads: int = 1,
    label: str = "DE table",
) -> pd.DataFrame:
    """Pre-ranked GSEA of one DE table.

    Parameters
    ----------
    table
        A DE result table (``gene_id``, ``gene_name``, ``stat``).
    gene_sets
        From :func:`load_gene_sets`.
    min_size, max_size
        Bounds on the number of a set's genes in the ranking.
    permutations, seed
        Number of gene-set permutations and their random seed.
    threads
        Threads of the permutations (results do not depend on it).
    label
        Names the table in warnings.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESULT_COLUMNS`, sorted as described in the module docstring;
        empty (with a warning) when no set can be tested.
    """
    import gseapy  # heavy import, only needed here

    ranked = ranking(table)
    if ranked.empty:
        warnings.warn(
            f"{label}: no gene has both a gene_name and a Wald stat; the gene-set table is empty.",
            stacklevel=2,
        )
        return pd.DataFrame(columns=RESULT_COLUMNS)
    testable = _testable(ranked, gene_sets, min_size, max_size, label)
    if not testable:
        warnings.warn(
            f"{label}: no gene set has between genesets.min_size and max_size ({min_size}-"
            f"{max_size}) genes in the ranking; the gene-set table is empty.",
            stacklevel=2,
        )
        return pd.DataFrame(columns=RESULT_COLUMNS)
    result = gseapy.prerank(
        rnk=ranked.set_index("symbol")["stat"],
        gene_sets=testable,
        min_size=min_size,
        max_size=max_size,
        permutation_num=permutations,
        seed=seed,
        threads=threads,
        outdir=None,
        no_plot=True,
        verbose=False,
    ).res2d
    spelling = dict(zip(ranked["symbol"], ranked["gene_name"], strict=True))
    sources = {gene_set.name: gene_set.source for gene_set in gene_sets}
    table = pd.DataFrame(
        {
            "set": result["Term"],
            "source": result["Term"].map(sources),
            "size": result["Term"].map(lambda name: len(testable[name])),
            "nes": result["NES"].astype(float),
            "pvalue": result["NOM p-val"].astype(float),
            "fdr": result["FDR q-val"].astype(float),
            "leading_edge": [
                ";".join(spelling[gene] for gene in str(genes).split(";") if gene in spelling)
                for genes in result["Lead_genes"]
            ],
        }
    )
    table["strength"] = -table["nes"].abs()
    table = table.sort_values(["fdr", "strength", "set"])
    return table[RESULT_COLUMNS].reset_index(drop=True)


def read_result(path: str | Path) -> pd.DataFrame:
    """Read a ``results/genesets/{contrast}.tsv`` table (set names as text)."""
    return pd.read_csv(
        path,
        sep="\t",
        dtype={"set": str, "source": str, "leading_edge": str},
        keep_default_na=False,
        na_values=[""],
    )


def summarize(results: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stack per-contrast results (tidy summary) and pivot their NES (contrasts x sets).

    Parameters
    ----------
    results
        ``{contrast: gene-set table}`` in contrast order.

    Returns
    -------
    summary, matrix
        Columns :data:`SUMMARY_COLUMNS`; and the NES matrix with a ``contrast``
        column, one row per contrast of ``results`` and one column per set.
    """
    stacked = [
        result.assign(contrast=name)[SUMMARY_COLUMNS]
        for name, result in results.items()
        if not result.empty
    ]
    summary = (
        pd.concat(stacked, ignore_index=True) if stacked else pd.DataFrame(columns=SUMMARY_COLUMNS)
    )
    sets = summary[["source", "set"]].drop_duplicates().sort_values(["source", "set"])["set"]
    matrix = summary.pivot(index="contrast", columns="set", values="nes")
    matrix = matrix.reindex(index=list(results), columns=list(sets))
    return summary, matrix.rename_axis(index="contrast", columns=None).reset_index()


def report_matrix(summary: pd.DataFrame, limit: int = MAX_REPORT_SETS) -> pd.DataFrame:
    """Tabulate the NES of sets (rows) by contrasts (columns), for the report heatmap.

    At most ``limit`` sets: those with the smallest FDR in any contrast (ties by name),
    in the order of the NES matrix (source, then name).
    """
    contrasts = list(dict.fromkeys(summary["contrast"]))
    best = summary.groupby("set")["fdr"].min().reset_index().sort_values(["fdr", "set"])
    chosen = set(best["set"].head(limit))
    kept = summary[summary["set"].isin(chosen)].sort_values(["source", "set"], kind="stable")
    matrix = kept.pivot(index="set", columns="contrast", values="nes")
    return matrix.reindex(index=list(dict.fromkeys(kept["set"])), columns=contrasts).rename_axis(
        index="set", columns=None
    )


def _report_config(matrix: pd.DataFrame, n_sets: int) -> dict[str, Any]:
    values = matrix.abs().max().max()
    limit = math.ceil(values) if pd.notna(values) and values > 0 else 1
    shown = (
        f"the {len(matrix)} sets with the smallest FDR of the {n_sets} tested"
        if len(matrix) < n_sets
        else "every tested set"
    )
    return {
        "id": "genesets_nes",
        "section_name": "Gene-set enrichment",
        "description": (
            "Normalized enrichment score (pre-ranked GSEA on the Wald statistic) of the "
            f"curated and user gene sets in every contrast; {shown}. Positive: the set's "
            "genes are up in the treatment. FDR and leading-edge genes: "
            "results/genesets/{contrast}.tsv and results/genesets/summary.tsv."
        ),
        "plot_type": "heatmap",
        "pconfig": {
            "id": "genesets_nes_heatmap",
            "title": "drugsig: gene-set NES",
            "xlab": "contrast",
            "ylab": "gene set",
            "zlab": "NES",
            "min": -limit,
            "max": limit,
            "colstops": DIVERGING_COLOR_STOPS,
            "xcats_samples": False,
            "ycats_samples": False,
            "cluster_rows": False,
            "cluster_cols": False,
            "square": False,
            "display_values": True,
        },
    }


def write_genesets(
    tables: Sequence[str | Path],
    contrasts: str | Path,
    gmt: Sequence[str | Path],
    genesets_cfg: Mapping[str, Any],
    results: Sequence[str | Path],
    summary_out: str | Path,
    matrix_out: str | Path,
    report_out: str | Path,
    threads: int = 1,
) -> None:
    """Run pre-ranked GSEA on every contrast; write its tables, the summary and heatmap.

    Parameters
    ----------
    tables, contrasts
        The DE tables in contrast order and ``contrasts.tsv``, as read by
        :func:`drugsig.tables.load_contrast_tables`.
    gmt
        GMT files: the curated one, then ``genesets.gmt``.
    genesets_cfg
        The validated ``genesets`` config section (``min_size``, ``max_size``,
        ``permutations``, ``seed``).
    results
        Output paths ``results/genesets/{contrast}.tsv``, in contrast order.
    summary_out, matrix_out, report_out
        Output paths of the summary, the NES matrix and the MultiQC heatmap.
    threads
        Threads of the permutations.

    Raises
    ------
    InputError
        On a bad GMT file or a set name defined twice.
    """
    names = list(read_contrasts(contrasts)["name"])
    gene_sets = load_gene_sets(gmt)
    outputs = match_contrast_files(results, names)
    enrichment = {}
    for name, path in match_contrast_files(tables, names).items():
        enrichment[name] = prerank(
            read_de_table(path),
            gene_sets,
            genesets_cfg["min_size"],
            genesets_cfg["max_size"],
            genesets_cfg["permutations"],
            genesets_cfg["seed"],
            threads,
            label=f"contrast {name}",
        )
        write_table_atomic(enrichment[name], outputs[name])
    summary, matrix = summarize(enrichment)
    write_table_atomic(summary, summary_out)
    write_table_atomic(matrix, matrix_out)
    heatmap = report_matrix(summary)
    config = _report_config(heatmap, summary["set"].nunique())
    write_text_atomic(custom_content(config, heatmap, index=True), report_out)
