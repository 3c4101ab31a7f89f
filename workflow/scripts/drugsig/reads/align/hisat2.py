"""HISAT2: index plan and memory from the genome size, index build, alignment of a sample.

Memory model of ``hisat2-build`` (bytes), linear in the genome length ``G``:

* plain index (no ``--ss``/``--exon``): ``128 MiB + 2.75 x G``. For GRCh38
  (3.1 Gb) that is ~8.1 GiB, the "8 GB" the HISAT2 manual gives for building the
  human index on a desktop. On the 1.8 Mb demo genome: 133 MiB estimated, 100 MiB
  measured peak RSS (``hisat2-build -p 2``).
* graph index with known splice sites and exons (``--ss --exon``):
  ``128 MiB + 55 x G``, ~159 GiB for GRCh38 (HISAT2: ~160 GB for the human genome
  with splice sites and exons; the manual says up to 200 GB once SNPs are added
  with ``--snp``). On the demo: 222 MiB estimated, 205 MiB measured. The graph
  part really grows with the number of annotated junctions rather than with ``G``;
  for annotations as dense as Ensembl/GENCODE human the genome length is a usable
  proxy.

When the graph index fits the memory budget (small genomes), the index holds the
splice sites; otherwise the plain index is built and the same splice sites are
given at alignment time (``--known-splicesite-infile``), which is what a
workstation does for human: on the demo both give the same alignments to within a
few reads, while aligning without known sites finds 40% fewer spliced reads.

Aligning needs the index in memory (about the index files' size: 4.3 GB for
human, Kim et al. 2015, Nat Methods 12:357) plus the ``samtools sort`` buffer of
the pipe behind it.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from drugsig.reads.align.hisat2_summary import merge_summaries
from drugsig.reads.align.memory import MB, fasta_index_lengths, retry_factor
from drugsig.reads.align.splice_sites import exons, splice_sites, write_intervals

if TYPE_CHECKING:
    from drugsig.reads.align import SpliceSites, UnitReads

LOG_SUFFIX = "hisat2.summary"
"""File name ending of the sample's summary (``--new-summary``, what MultiQC recognises)."""

BUILD_BASE_BYTES = 128 * MB
PLAIN_BUILD_BYTES_PER_BASE = 2.75
GRAPH_BUILD_BYTES_PER_BASE = 55.0
SORT_THREADS = 2
SORT_MEMORY_PER_THREAD_MB = 768
ALIGN_SLACK_MB = 1024

INDEX_PREFIX = "genome"
INDEX_SETTINGS = "index.json"
SPLICE_SITES = "splice_sites.txt"
EXONS = "exons.txt"


# --- memory and index plan ---------------------------------------------------------


def index_build_memory_bytes(genome_length: int, splice_sites_in_index: bool) -> int:
    """Estimated peak memory of ``hisat2-build`` for a genome of ``genome_length`` bases."""
    per_base = GRAPH_BUILD_BYTES_PER_BASE if splice_sites_in_index else PLAIN_BUILD_BYTES_PER_BASE
    return int(BUILD_BASE_BYTES + per_base * genome_length)


@dataclass(frozen=True)
class Hisat2IndexPlan:
    """How to build the HISAT2 index of one genome, and what that needs."""

    splice_sites_in_index: bool
    memory_bytes: int

    @property
    def memory_mb(self) -> int:
        """Estimated peak memory of the build in MB (rounded up)."""
        return -(-self.memory_bytes // MB)


def plan_index(
    genome_length: int, memory_budget_mb: int, splice_sites: SpliceSites = "auto"
) -> Hisat2IndexPlan:
    """Choose the index type for a genome and memory budget.

    ``splice_sites``: ``"auto"`` builds the splice sites and exons into the index
    (``--ss``/``--exon``) when that fits ``memory_budget_mb`` and otherwise builds a
    plain index (the splice sites are then given at alignment time); ``"index"`` and
    ``"alignment"`` force one of the two.

    Raises
    ------
    ValueError
        If the chosen (or, for ``"auto"``, even the plain) index does not fit the budget.
    """
    if genome_length <= 0:
        raise ValueError("the genome is empty")
    if splice_sites not in ("auto", "index", "alignment"):
        raise ValueError(f"splice_sites must be auto, index or alignment, not {splice_sites!r}")
    budget = memory_budget_mb * MB
    graph = index_build_memory_bytes(genome_length, splice_sites_in_index=True)
    plain = index_build_memory_bytes(genome_length, splice_sites_in_index=False)
    if splice_sites == "index" or (splice_sites == "auto" and graph <= budget):
        if graph > budget:
            raise ValueError(
                f"a HISAT2 index with splice sites and exons (--ss/--exon) of a "
                f"{genome_length:,} bp genome needs ~{graph // MB:,} MB, more than the budget "
                f"of {memory_budget_mb:,} MB; set hisat2.splice_sites to auto or alignment "
                "(known splice sites given at alignment time) or raise hisat2.memory_mb."
            )
        return Hisat2IndexPlan(True, graph)
    if plain > budget:
        raise ValueError(
            f"a plain HISAT2 index of a {genome_length:,} bp genome needs ~{plain // MB:,} MB, "
            f"more than the budget of {memory_budget_mb:,} MB; raise hisat2.memory_mb."
        )
    return Hisat2IndexPlan(False, plain)


def index_files(index_dir: str | Path) -> list[Path]:
    """List the ``.ht2``/``.ht2l`` files of an index directory (what HISAT2 loads)."""
    return sorted(
        path
        for path in Path(index_dir).iterdir()
        if path.name.startswith(f"{INDEX_PREFIX}.") and path.suffix in (".ht2", ".ht2l")
    )


def index_bytes(index_dir: str | Path) -> int:
    """Return the size of the index files: about the memory HISAT2 needs to hold them."""
    return sum(path.stat().st_size for path in index_files(index_dir))


def alignment_memory_mb(index_size_bytes: int) -> int:
    """Return the memory to declare for aligning one sample: index + sort buffer + 1 GB."""
    return -(-index_size_bytes // MB) + SORT_THREADS * SORT_MEMORY_PER_THREAD_MB + ALIGN_SLACK_MB


def index_job_mem_mb(
    fai: str | Path, memory_budget_mb: int, splice_sites_mode: SpliceSites, attempt: int = 1
) -> int:
    """Return the index job's ``mem_mb``: the planned build's estimate + 500 MB, +50% a retry."""
    plan = plan_index(sum(fasta_index_lengths(fai)), memory_budget_mb, splice_sites_mode)
    return int(plan.memory_mb * retry_factor(attempt)) + 500


def align_job_mem_mb(index_dir: str | Path, attempt: int = 1) -> int:
    """Return one sample's job ``mem_mb`` (:func:`alignment_memory_mb`), +50% per retry."""
    return int(alignment_memory_mb(index_bytes(index_dir)) * retry_factor(attempt))


# --- strandedness ------------------------------------------------------------------


def rna_strandness(strandedness: str, paired: bool) -> str | None:
    """Return the HISAT2 ``--rna-strandness`` of a library (None: not passed).

    ``forward`` (read 1 on the transcript's strand, featureCounts ``-s 1``) is
    ``F`` single-end / ``FR`` paired-end; ``reverse`` (dUTP, TruSeq Stranded,
    ``-s 2``) is ``R`` / ``RF``. ``none`` and ``auto`` (inferred after alignment)
    pass nothing: HISAT2 then sets ``XS`` from the splice motif, and counting is
    unaffected either way.
    """
    values = {
        "none": None,
        "auto": None,
        "forward": "FR" if paired else "F",
        "reverse": "RF" if paired else "R",
    }
    if strandedness not in values:
        raise ValueError(
            f"strandedness must be none, forward, reverse or auto, not {strandedness!r}"
        )
    return values[strandedness]


# --- index build ------------------------------------------------------------------


def build_index(
    fasta: str | Path,
    fai: str | Path,
    gtf: str | Path,
    outdir: str | Path,
    memory_budget_mb: int,
    threads: int,
    splice_sites_mode: SpliceSites = "auto",
    extra: str = "",
) -> list[str]:
    """Build the index into ``outdir`` (``genome.*.ht2`` + splice sites, exons, settings).

    ``splice_sites_mode`` is :func:`plan_index`'s ``splice_sites``.
    ``outdir/index.json`` records whether the splice sites are in the index; the
    alignment reads it to decide whether to pass ``--known-splicesite-infile``.
    Returns the ``hisat2-build`` command run.
    """
    genome_length = sum(fasta_index_lengths(fai))
    plan = plan_index(genome_length, memory_budget_mb, splice_sites_mode)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    n_sites = write_intervals(splice_sites(gtf), outdir / SPLICE_SITES)
    n_exons = write_intervals(exons(gtf), outdir / EXONS)
    print(
        f"genome {genome_length:,} bp; {n_sites:,} splice sites, {n_exons:,} exons; "
        f"splice sites in the index: {plan.splice_sites_in_index} "
        f"(estimated build memory {plan.memory_mb:,} MB, budget {memory_budget_mb:,} MB)",
        file=sys.stderr,
        flush=True,
    )
    graph = ["--ss", str(outdir / SPLICE_SITES), "--exon", str(outdir / EXONS)]
    command = [
        "hisat2-build",
        "-p",
        str(threads),
        *(graph if plan.splice_sites_in_index and n_sites else []),
        *shlex.split(extra),
        str(fasta),
        str(outdir / INDEX_PREFIX),
    ]
    print(shlex.join(command), file=sys.stderr, flush=True)
    subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=True)
    settings = {
        "splice_sites_in_index": plan.splice_sites_in_index and n_sites > 0,
        "genome_length": genome_length,
        "splice_sites": n_sites,
        "exons": n_exons,
        "estimated_build_memory_mb": plan.memory_mb,
        "memory_budget_mb": memory_budget_mb,
        "command": shlex.join(command),
    }
    (outdir / INDEX_SETTINGS).write_text(json.dumps(settings, indent=2) + "\n")
    return command


def alignment_splice_site_arguments(index_dir: str | Path) -> list[str]:
    """Return ``--known-splicesite-infile`` for a plain index (none if the index holds them)."""
    index_dir = Path(index_dir)
    settings = json.loads((index_dir / INDEX_SETTINGS).read_text())
    sites = index_dir / SPLICE_SITES
    if settings["splice_sites_in_index"] or not sites.stat().st_size:
        return []
    return ["--known-splicesite-infile", str(sites)]


# --- alignment --------------------------------------------------------------------


def hisat2_command(
    sample: str,
    unit: UnitReads,
    index_prefix: str | Path,
    threads: int,
    summary: str | Path,
    strandness: str | None,
    extra: Sequence[str] = (),
) -> list[str]:
    """Return the ``hisat2`` command of one unit, with its own read group ``{sample}.{unit}``."""
    reads = ["-1", unit.fq1, "-2", unit.fq2] if unit.fq2 else ["-U", unit.fq1]
    return [
        "hisat2",
        "-p",
        str(threads),
        "-x",
        str(index_prefix),
        *reads,
        *(["--rna-strandness", strandness] if strandness else []),
        "--rg-id",
        f"{sample}.{unit.unit}",
        "--rg",
        f"SM:{sample}",
        "--rg",
        f"PU:{unit.unit}",
        "--new-summary",
        "--summary-file",
        str(summary),
        *extra,
    ]


def sort_command(output: str | Path, temporary_prefix: str | Path) -> list[str]:
    """``samtools sort`` of a SAM stream on stdin into a coordinate-sorted BAM."""
    return [
        "samtools",
        "sort",
        "-@",
        str(SORT_THREADS),
        "-m",
        f"{SORT_MEMORY_PER_THREAD_MB}M",
        "-T",
        str(temporary_prefix),
        "-o",
        str(output),
        "-",
    ]


def run_pipe(first: list[str], second: list[str]) -> None:
    """Run ``first | second``, logging both to stderr; fail if either fails."""
    print(f"{shlex.join(first)} | {shlex.join(second)}", file=sys.stderr, flush=True)
    producer = subprocess.Popen(first, stdout=subprocess.PIPE, stderr=sys.stderr)
    consumer = subprocess.Popen(second, stdin=producer.stdout, stderr=sys.stderr)
    assert producer.stdout is not None
    producer.stdout.close()  # the consumer holds the only reader: SIGPIPE reaches hisat2
    consumer_status, producer_status = consumer.wait(), producer.wait()
    for command, status in ((first, producer_status), (second, consumer_status)):
        if status != 0:
            raise subprocess.CalledProcessError(status, command)


# --- one sample -------------------------------------------------------------------


def align_sample(
    sample: str,
    units: Sequence[UnitReads],
    index_dir: str | Path,
    bam: str | Path,
    log: str | Path,
    threads: int,
    strandedness: str,
    extra: str = "",
) -> None:
    """Align every unit of a sample and write one sorted, indexed BAM and one summary.

    HISAT2 writes a single read group per run, so each unit is aligned on its own
    (``hisat2 | samtools sort``), then the unit BAMs are merged (``samtools merge``
    keeps every ``@RG``) and indexed; the units' summaries are summed into one, the
    sample's ``--new-summary`` (for MultiQC), written to ``log``. ``strandedness`` is
    the declared one (see :func:`rna_strandness`).
    """
    bam, summary = Path(bam), Path(log)
    strandness = rna_strandness(strandedness, units[0].fq2 is not None)
    workdir = bam.parent / f"{bam.name}.hisat2_tmp"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    options = [*alignment_splice_site_arguments(index_dir), *shlex.split(extra)]
    unit_bams, unit_summaries = [], []
    for number, unit in enumerate(units):
        unit_bam = workdir / f"{number}.bam"
        unit_summary = workdir / f"{number}.summary"
        command = hisat2_command(
            sample,
            unit,
            Path(index_dir) / INDEX_PREFIX,
            threads,
            unit_summary,
            strandness,
            options,
        )
        run_pipe(command, sort_command(unit_bam, workdir / f"{number}.sort"))
        unit_bams.append(unit_bam)
        unit_summaries.append(unit_summary.read_text())
    if len(unit_bams) == 1:
        unit_bams[0].replace(bam)
    else:
        merge = [
            "samtools",
            "merge",
            "-@",
            str(threads),
            "-f",
            "-o",
            str(bam),
            *map(str, unit_bams),
        ]
        print(shlex.join(merge), file=sys.stderr, flush=True)
        subprocess.run(merge, stdout=sys.stderr, stderr=sys.stderr, check=True)
    index = ["samtools", "index", "-@", str(threads), str(bam)]
    subprocess.run(index, stdout=sys.stderr, stderr=sys.stderr, check=True)
    text = unit_summaries[0] if len(unit_summaries) == 1 else merge_summaries(unit_summaries)
    summary.write_text(text)
    print(text, file=sys.stderr, flush=True)
    shutil.rmtree(workdir)
