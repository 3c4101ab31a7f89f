"""STAR index parameters and memory needs, scaled to the genome.

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

from drugsig.reads.trim import ReadUnit

SA_BYTES_PER_BASE = 8.5  # 2 strands x ~4.25 bytes per suffix-array entry
PREINDEX_FACTOR = 8 * 1.33
OVERHEAD = 1.10
MAX_SPARSITY = 16
MB = 1024**2


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
    """Estimated peak memory of ``genomeGenerate`` (and size of the loaded index)."""
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


def fasta_index_lengths(fai: str | Path) -> list[int]:
    """Sequence lengths from a samtools ``.fai`` index."""
    with Path(fai).open() as handle:
        return [int(line.split("\t")[1]) for line in handle if line.strip()]


def machine_memory_mb() -> int:
    """Total physical memory of this machine in MB."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // MB


def alignment_memory_mb(index_bytes: int, sort_buffer_bytes: int) -> int:
    """Memory to declare for one STAR alignment job: index + sort buffer + 1 GB slack."""
    return (index_bytes + sort_buffer_bytes) // MB + 1024


SORT_BUFFER_BYTES = 2**30
"""BAM sorting buffer of one alignment, declared in the job's memory: STAR's
``--limitBAMsortRAM`` is at least this (see :func:`sort_ram_bytes`)."""


def index_bytes(index_dir: str | Path) -> int:
    """Size of an aligner index folder on disk."""
    return sum(entry.stat().st_size for entry in os.scandir(index_dir))


def sort_ram_bytes(index_dir: str | Path) -> int:
    """STAR ``--limitBAMsortRAM``: STAR's default, the index size (STAR frees the index
    before sorting), but at least :data:`SORT_BUFFER_BYTES`. With a small genome the
    default is too small: STAR stops with "not enough memory for BAM sorting"."""
    return max(index_bytes(index_dir), SORT_BUFFER_BYTES)


def align_job_mem_mb(index_dir: str | Path, attempt: int = 1) -> int:
    """Memory of one alignment job: the index plus the sort buffer and 1 GB slack
    (:func:`alignment_memory_mb`), 50% more per retry."""
    memory_mb = alignment_memory_mb(index_bytes(index_dir), SORT_BUFFER_BYTES)
    return int(memory_mb * (1 + 0.5 * (attempt - 1)))


def align_command(
    sample: str,
    units: Sequence[ReadUnit],
    index_dir: str | Path,
    prefix: str,
    threads: int,
    sort_ram: int,
    extra: str = "",
) -> list[str]:
    """The ``STAR`` command aligning all units of a sample into one coordinate-sorted
    BAM (``{prefix}Aligned.sortedByCoord.out.bam``), with read group
    ``{sample}.{unit}`` per unit; the reads are gzipped (trimmed reads are)."""
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
    units: Sequence[ReadUnit],
    index_dir: str | Path,
    bam: str | Path,
    log_final: str | Path,
    threads: int,
    extra: str = "",
) -> None:
    """Align every unit of a sample with STAR into one sorted, indexed BAM; STAR's
    ``Log.final.out`` (for MultiQC) goes to ``log_final``, its other logs next to it
    (``{bam without .bam}.Log.out``, ``.SJ.out.tab``)."""
    bam, log_final = Path(bam), Path(log_final)
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
