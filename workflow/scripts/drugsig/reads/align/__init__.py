"""Aligners: STAR and HISAT2, one module each with the same interface (:class:`Aligner`).

:data:`ALIGNERS` maps the config's ``aligner`` to its module. The index jobs run
these modules in environments whose Python has the standard library only
(``envs/star.yaml``, ``envs/hisat2.yaml``), so nothing below imports anything else:
a unit is therefore typed structurally (:class:`UnitReads`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

from drugsig.reads.align import hisat2, star

SpliceSites = Literal["auto", "index", "alignment"]
"""Where the annotated splice sites go: into the index, given at alignment time, or
``auto`` (into the index when that fits the memory budget)."""


class UnitReads(Protocol):
    """What an aligner reads of a unit (:class:`drugsig.inputs.sheets.Unit`)."""

    @property
    def unit(self) -> str:
        """The unit's name."""

    @property
    def fq1(self) -> str:
        """Read 1 (gzipped FASTQ)."""

    @property
    def fq2(self) -> str | None:
        """Read 2, or None for single-end reads."""


class Aligner(Protocol):
    """The interface of an aligner module."""

    LOG_SUFFIX: str
    """File name ending of the aligner's summary (what MultiQC recognises)."""

    def build_index(
        self,
        fasta: str | Path,
        fai: str | Path,
        gtf: str | Path,
        outdir: str | Path,
        memory_budget_mb: int,
        threads: int,
        splice_sites_mode: SpliceSites = "auto",
        extra: str = "",
    ) -> list[str]:
        """Build the index of a genome into ``outdir``; return the command run."""

    def index_job_mem_mb(
        self, fai: str | Path, memory_budget_mb: int, splice_sites_mode: SpliceSites, attempt: int
    ) -> int:
        """Return the ``mem_mb`` of the index job, more per retry."""

    def align_sample(
        self,
        sample: str,
        units: Sequence[UnitReads],
        index_dir: str | Path,
        bam: str | Path,
        log: str | Path,
        threads: int,
        strandedness: str,
        extra: str = "",
    ) -> None:
        """Align every unit of a sample into one sorted, indexed BAM and one summary."""

    def align_job_mem_mb(self, index_dir: str | Path, attempt: int = 1) -> int:
        """Return the ``mem_mb`` of one sample's job, more per retry."""


ALIGNERS: dict[str, Aligner] = {"star": star, "hisat2": hisat2}
"""The aligner module of each value of the config's ``aligner``."""
