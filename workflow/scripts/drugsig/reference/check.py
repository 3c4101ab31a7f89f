"""Check that a genome FASTA and a gene annotation GTF belong together.

The classic mismatch is a UCSC/GENCODE-style annotation (``chr1``, ``chrM``) with an
Ensembl-style genome (``1``, ``MT``) or the reverse: every read then lands on a
chromosome without genes and all counts are zero. This is caught before indexing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from drugsig.errors import InputError
from drugsig.inputs.files import read_head
from drugsig.io import write_table_atomic
from drugsig.reference.gtf import open_text, read_gene_table

_EXAMPLES = 3
_STRIP_CHR = "sed -E 's/^chr//; s/^M\\t/MT\\t/'"
_ADD_CHR = "sed -E '/^#/!s/^/chr/; s/^chrMT\\t/chrM\\t/'"


@dataclass(frozen=True)
class ContigComparison:
    """Sequence names of a FASTA and of a GTF's genes (each in file order)."""

    fasta: tuple[str, ...]
    gtf: tuple[str, ...]

    @property
    def missing_from_fasta(self) -> tuple[str, ...]:
        """GTF sequences with genes that the FASTA lacks."""
        present = set(self.fasta)
        return tuple(name for name in self.gtf if name not in present)


def fasta_contigs(fasta: str | Path) -> list[str]:
    """Sequence names of a FASTA, from its ``.fai`` index if present, else its headers.

    The FASTA may be plain or gzip-compressed; a name is the header up to the first
    whitespace.

    Raises
    ------
    InputError
        If the FASTA has no ``>`` header line.
    """
    index = Path(f"{fasta}.fai")
    if index.is_file():
        with index.open() as handle:
            names = [line.split("\t", 1)[0] for line in handle if line.strip()]
    else:
        with open_text(fasta) as handle:
            names = [line[1:].split(maxsplit=1)[0] for line in handle if line.startswith(">")]
    if not names:
        raise InputError(f"{fasta}: no '>' sequence header found. Is this a FASTA file?")
    return names


_SOURCE_FIX = {
    "fasta": "Give the genome FASTA (plain or gzip-compressed) as reference.fasta.",
    "gtf": "Give the gene annotation GTF (plain or gzip-compressed) as reference.gtf.",
}


def check_source_file(path: str | Path, kind: str) -> None:
    """Check the start of a user's genome FASTA or annotation GTF (``kind``).

    Cheap enough for the DAG: only the first 64 KiB are read (see
    :func:`drugsig.inputs.files.read_head`). A missing file is left to Snakemake,
    whose message names the rule that needs it.

    Raises
    ------
    InputError
        If the file is empty, a spreadsheet, binary, UTF-16 or corrupt gzip; if a FASTA
        does not start with a ``>`` header line; or if a GTF's first record does not
        have nine tab-separated fields.
    """
    if not Path(path).is_file():
        return
    fix = _SOURCE_FIX[kind]
    text = read_head(path, fix)
    lines = text.splitlines()
    if not text.endswith("\n") and len(lines) > 1:
        lines.pop()  # cut at the end of the head
    if kind == "fasta":
        first = next((line for line in lines if line.strip()), "")
        if not first.startswith(">"):
            raise InputError(
                f"{path}: the FASTA should start with a '>' sequence header line but starts "
                f"with {first[:40]!r}. {fix}"
            )
        return
    for number, line in enumerate(lines, start=1):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 9:
            raise InputError(
                f"{path}, line {number}: expected 9 tab-separated GTF fields, found "
                f"{len(fields)}. Is this a GTF file? {fix}"
            )
        return


def _quoted(names: list[str] | tuple[str, ...]) -> str:
    shown = ", ".join(repr(name) for name in names[:_EXAMPLES])
    return f"{shown}, ..." if len(names) > _EXAMPLES else shown


def _ensembl_name(name: str) -> str:
    return "MT" if name == "chrM" else name.removeprefix("chr")


def _ucsc_name(name: str) -> str:
    return "chrM" if name == "MT" else f"chr{name}"


def _naming_hint(fasta: tuple[str, ...], gtf: tuple[str, ...], gtf_path: str | Path) -> str:
    ucsc, ensembl = "UCSC/GENCODE names ('chr1')", "Ensembl names ('1')"
    if set(fasta).intersection(map(_ensembl_name, gtf)):
        gtf_style, fasta_style, fix, command = ucsc, ensembl, "strip the prefix from", _STRIP_CHR
    elif set(fasta).intersection(map(_ucsc_name, gtf)):
        gtf_style, fasta_style, fix, command = ensembl, ucsc, "add the prefix to", _ADD_CHR
    else:
        return "Check that both files are for the same organism and genome assembly."
    return (
        f"The GTF uses {gtf_style} and the FASTA {fasta_style}. Use an annotation from the "
        "same source and release as the genome (config reference.preset downloads a matching "
        f"pair), or {fix} the GTF: zcat -f {gtf_path} | {command} > annotation.gtf"
    )


def check_reference(fasta: str | Path, gtf: str | Path) -> ContigComparison:
    """Check that the GTF's genes lie on sequences of the FASTA.

    Reads the GTF with :func:`drugsig.reference.gtf.read_gene_table`, which raises when it has
    no exon lines and warns when no gene has a ``gene_name``. Warns when some GTF
    sequences with genes are missing from the FASTA (their genes get no reads).

    Raises
    ------
    InputError
        If the FASTA and the GTF have no sequence name in common (the message says
        whether a ``chr`` prefix is the cause and how to fix it), or see
        :func:`fasta_contigs` and :func:`~drugsig.reference.gtf.read_gene_table`.
    """
    genes = read_gene_table(gtf)
    comparison = ContigComparison(
        fasta=tuple(fasta_contigs(fasta)), gtf=tuple(genes["chrom"].drop_duplicates())
    )
    missing = comparison.missing_from_fasta
    if len(missing) == len(comparison.gtf):
        raise InputError(
            f"{gtf} and {fasta} have no sequence name in common (GTF genes on: "
            f"{_quoted(comparison.gtf)}; FASTA: {_quoted(comparison.fasta)}). "
            + _naming_hint(comparison.fasta, comparison.gtf, gtf)
        )
    if missing:
        lost = int(genes["chrom"].isin(missing).sum())
        warnings.warn(
            f"{gtf}: {len(missing)} of {len(comparison.gtf)} sequences with genes are not in "
            f"{fasta} ({_quoted(missing)}); their {lost} genes will get no reads. Use a FASTA "
            "and a GTF from the same source and release to count them.",
            stacklevel=2,
        )
    return comparison


def write_contig_table(fasta: str | Path, gtf: str | Path, output: str | Path) -> None:
    """Check the reference and write a table of its sequence names.

    See :func:`check_reference`. Per sequence name, the table tells whether it is in the
    FASTA and whether the GTF has genes on it.
    """
    comparison = check_reference(fasta, gtf)
    names = list(dict.fromkeys([*comparison.fasta, *comparison.gtf]))
    table = pd.DataFrame(
        {
            "contig": names,
            "in_fasta": [name in set(comparison.fasta) for name in names],
            "in_gtf": [name in set(comparison.gtf) for name in names],
        }
    )
    write_table_atomic(table, output)
