"""STAR: index parameters and memory needs scaled to the genome, index build, alignment.

STAR's defaults are tuned for mammalian genomes; a small genome needs a smaller
``--genomeSAindexNbases`` (STAR manual: ``min(14, log2(GenomeLength)/2 - 1)``) and
many small contigs a smaller ``--genomeChrBinNbits``
(``min(18, log2(max(GenomeLength/NumberOfReferences, ReadLength)))``).

Memory model (bytes) for ``genomeGenerate`` with a sparse suffix array of
sparsity ``d``: the genome (1 byte/base), the suffix array (2 strands x ~4.25
bytes per suffix / ``d``) and the pre-index (``8 x 4**Nbases x 1.33``), plus 10%
overhead. For GRCh38 (3.1 Gb) that is ~32 GB at ``d = 1``, ~19 GB at ``d = 2`` and
~15 GB at ``d = 3``, which matches STAR's documented ~32 GB for the human index.
Aligning needs the index in memory plus the BAM sorting buffer.
"""

from __future__ import annotations

import math
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from drugsig.reads.align.memory import MB, fasta_index_lengths, retry_factor

if TYPE_CHECKING:
    from drugsig.reads.align import SpliceSites, UnitReads

LOG_SUFFIX = "Log.final.out"
"""File name ending of the sample's summary (STAR's ``Log.final.out``, for MultiQC)."""

SA_BYTES_PER_BASE = 8.5  # 2 strands x ~4.25 bytes per suffix-array entry
PREINDEX_FACTOR = 8 * 1.33
OVERHEAD = 1.10
MAX_SPARSITY = 16


@dataclass(frozen=True)
class StarIndexParameters:
    """Parameters of one ``STAR --runMode genomeGenerate`` run."""

    sa_index_nbases: int
    chr_bin_nbits: int
    sa_sparse_d: int
    memory_bytes: int

    def arguments(self) -> list[str]:
        """STAR command-line arguments for these parameters."""
        return [
            "--genomeSAindexNbases",
            str(self.sa_index_nbases),
            "--genomeChrBinNbits",
            str(self.chr_bin_nbits),
            "--genomeSAsparseD",
            str(self.sa_sparse_d),
            "--limitGenomeGenerateRAM",
            str(self.memory_bytes),
        ]


def index_memory_bytes(genome_length: int, sa_index_nbases: int, sa_sparse_d: int) -> int:
    """Estimate the peak memory of ``genomeGenerate`` (and the size of the loaded index)."""
    suffix_array = genome_length * SA_BYTES_PER_BASE / sa_sparse_d
    preindex = PREINDEX_FACTOR * 4**sa_index_nbases
    return int((genome_length + suffix_array + preindex) * OVERHEAD)


def index_parameters(
    genome_length: int, n_sequences: int, memory_budget_mb: int, read_length: int = 100
) -> StarIndexParameters:
    """Choose index parameters for a genome so that building it fits the memory budget.

    The suffix array is made sparser (``--genomeSAsparseD`` 1, 2, 3, ...) until the
    estimate fits ``memory_budget_mb``; a sparser index needs less memory to build
    and to align against, at some cost in alignment speed.

    Raises
    ------
    ValueError
        If even ``--genomeSAsparseD 16`` does not fit the budget.
    """
    if genome_length <= 0 or n_sequences <= 0:
        raise ValueError("the genome is empty")
    nbases = min(14, int(math.log2(genome_length) / 2 - 1))
    chr_bin = min(18, int(math.log2(max(genome_length / n_sequences, read_length))))
    budget = memory_budget_mb * MB
    for sparsity in range(1, MAX_SPARSITY + 1):
        needed = index_memory_bytes(genome_length, nbases, sparsity)
        if needed <= budget:
            return StarIndexParameters(nbases, chr_bin, sparsity, max(needed, min(budget, 2**31)))
    raise ValueError(
        f"a STAR index of a {genome_length:,} bp genome needs at least "
        f"{index_memory_bytes(genome_length, nbases, MAX_SPARSITY) // MB:,} MB, more than "
        f"the budget of {memory_budget_mb:,} MB; raise star.memory_mb or use aligner hisat2."
    )


def index_job_mem_mb(
    fai: str | Path, memory_budget_mb: int, splice_sites_mode: SpliceSites, attempt: int = 1
) -> int:
    """Return the index job's ``mem_mb``: the build's estimate + 500 MB, +50% per retry.

    ``splice_sites_mode`` does not change STAR's index (see :func:`build_index`).
    """
    lengths = fasta_index_lengths(fai)
    parameters = index_parameters(sum(lengths), len(lengths), memory_budget_mb)
    return int(parameters.memory_bytes / MB * retry_factor(attempt)) + 500


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
    """Run ``STAR --runMode genomeGenerate`` into ``outdir``; return the command run.

    STAR always builds the GTF's splice junctions into its index (``--sjdbGTFfile``):
    ``splice_sites_mode`` may be ``auto`` or ``index``.

    Raises
    ------
    ValueError
        For ``splice_sites_mode`` ``alignment``, or if the index does not fit the
        memory budget (:func:`index_parameters`).
    """
    if splice_sites_mode not in ("auto", "index"):
        raise ValueError(
            f"STAR builds the splice sites into its index: splice_sites_mode must be auto "
            f"or index, not {splice_sites_mode!r}"
        )
    lengths = fasta_index_lengths(fai)
    parameters = index_parameters(sum(lengths), len(lengths), memory_budget_mb)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    temporary = outdir.parent / f"{outdir.name}._STARtmp"
    shutil.rmtree(temporary, ignore_errors=True)
    command = [
        "STAR",
        "--runMode",
        "genomeGenerate",
        "--runThreadN",
        str(threads),
        "--genomeDir",
        str(outdir),
        "--genomeFastaFiles",
        str(fasta),
        "--sjdbGTFfile",
        str(gtf),
        "--outFileNamePrefix",
        f"{outdir}/",
        "--outTmpDir",
        str(temporary),
        *parameters.arguments(),
        *shlex.split(extra),
    ]
    print(shlex.join(command), file=sys.stderr, flush=True)
    subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=True)
    return command


def alignment_memory_mb(index_bytes: int, sort_buffer_bytes: int) -> int:
    """Return the memory of one STAR alignment job: index + sort buffer + 1 GB slack."""
    return (index_bytes + sort_buffer_bytes) // MB + 1024


SORT_BUFFER_BYTES = 2**30
"""BAM sorting buffer of one alignment, declared in the job's memory: STAR's
``--limitBAMsortRAM`` is at least this (see :func:`sort_ram_bytes`)."""


def index_bytes(index_dir: str | Path) -> int:
    """Return the size of an aligner index folder on disk."""
    return sum(entry.stat().st_size for entry in os.scandir(index_dir))


def sort_ram_bytes(index_dir: str | Path) -> int:
    """Return STAR's ``--limitBAMsortRAM``.

    STAR's default, the index size (STAR frees the index before sorting), but at least
    :data:`SORT_BUFFER_BYTES`. With a small genome the default is too small: STAR
    stops with "not enough memory for BAM sorting".
    """
    return max(index_bytes(index_dir), SORT_BUFFER_BYTES)


def align_job_mem_mb(index_dir: str | Path, attempt: int = 1) -> int:
    """Return one sample's job ``mem_mb`` (:func:`alignment_memory_mb`), +50% per retry.

    The index plus the sort buffer and 1 GB slack.
    """
    memory_mb = alignment_memory_mb(index_bytes(index_dir), SORT_BUFFER_BYTES)
    return int(memory_mb * retry_factor(attempt))


def align_command(
    sample: str,
    units: Sequence[UnitReads],
    index_dir: str | Path,
    prefix: str,
    threads: int,
    sort_ram: int,
    extra: str = "",
) -> list[str]:
    """Return the ``STAR`` command aligning all units of a sample into one sorted BAM.

    The BAM, ``{prefix}Aligned.sortedByCoord.out.bam``, is sorted by coordinate and
    has the read group ``{sample}.{unit}`` per unit; the reads are gzipped (trimmed
    reads are).
    """
    reads = [",".join(unit.fq1 for unit in units)]
    if units[0].fq2:
        reads.append(",".join(str(unit.fq2) for unit in units))
    read_groups = " , ".join(
        f"ID:{sample}.{unit.unit} SM:{sample} PU:{unit.unit}" for unit in units
    ).split(" ")
    return [
        "STAR", "--runThreadN", str(threads), "--genomeDir", str(index_dir),
        "--readFilesIn", *reads, "--readFilesCommand", "gzip", "-cd",
        "--outSAMtype", "BAM", "SortedByCoordinate", "--outBAMsortingThreadN", str(threads),
        "--limitBAMsortRAM", str(sort_ram), "--outSAMattrRGline", *read_groups,
        "--outFileNamePrefix", prefix, *shlex.split(extra),
    ]  # fmt: skip


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
    """Align every unit of a sample with STAR into one sorted, indexed BAM.

    STAR's ``Log.final.out`` (for MultiQC) goes to ``log``, its other logs next to the
    BAM (``{bam without .bam}.Log.out``, ``.SJ.out.tab``). STAR aligns the same
    whatever the library's ``strandedness``.
    """
    bam, log_final = Path(bam), Path(log)
    prefix = str(bam.with_suffix("")) + "."
    shutil.rmtree(f"{prefix}_STARtmp", ignore_errors=True)
    command = align_command(
        sample, units, index_dir, prefix, threads, sort_ram_bytes(index_dir), extra
    )
    print(shlex.join(command), file=sys.stderr, flush=True)
    subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=True)
    Path(f"{prefix}Aligned.sortedByCoord.out.bam").replace(bam)
    if Path(f"{prefix}Log.final.out") != log_final:
        Path(f"{prefix}Log.final.out").replace(log_final)
    index = ["samtools", "index", "-@", str(threads), str(bam)]
    subprocess.run(index, stdout=sys.stderr, stderr=sys.stderr, check=True)
