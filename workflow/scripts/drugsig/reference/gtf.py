"""Read gene annotation from an Ensembl/GENCODE-style GTF (plain or gzipped)."""

from __future__ import annotations

import gzip
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from drugsig.errors import InputError

_ATTRIBUTE = re.compile(r'(\S+)\s+"([^"]*)"')

GENE_TABLE_COLUMNS = ["gene_id", "gene_name", "gene_biotype", "chrom", "start", "end", "strand"]


def open_text(path: str | Path) -> IO[str]:
    """Open a plain or gzip-compressed text file for reading (detected by magic bytes)."""
    with Path(path).open("rb") as handle:
        magic = handle.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt")
    return Path(path).open()


def parse_attributes(field: str) -> dict[str, str]:
    """Parse a GTF attribute column (``key "value"; ...``) into a dict (first value wins)."""
    attributes: dict[str, str] = {}
    for key, value in _ATTRIBUTE.findall(field):
        attributes.setdefault(key, value)
    return attributes


def iter_records(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, nine_fields)`` for every non-comment GTF line.

    Raises
    ------
    InputError
        If a line does not have nine tab-separated fields.
    """
    with open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 9:
                raise InputError(
                    f"{path}, line {line_number}: expected 9 tab-separated GTF fields, "
                    f"found {len(fields)}. Is this a GTF file?"
                )
            yield line_number, fields


def read_gene_table(path: str | Path) -> pd.DataFrame:
    """One row per gene: id, name, biotype and locus, from the GTF's exon lines.

    Genes are defined by their exons (the features featureCounts counts), so GTFs
    without ``gene`` lines work too. A gene without ``gene_name`` is named by its
    ``gene_id``; when no gene has a name a warning says so.

    Raises
    ------
    InputError
        If the GTF has no exon lines or an exon lacks ``gene_id``.
    """
    genes: dict[str, list] = {}
    for line_number, fields in iter_records(path):
        if fields[2] != "exon":
            continue
        attributes = parse_attributes(fields[8])
        gene_id = attributes.get("gene_id")
        if gene_id is None:
            gff3 = "=" in fields[8] and '"' not in fields[8]
            hint = (
                ' Its attributes look like GFF3 (key=value); use a GTF (key "value";), e.g. '
                "Ensembl's .gtf.gz, or convert it with `gffread -T`."
                if gff3
                else ""
            )
            raise InputError(f"{path}, line {line_number}: exon without a gene_id attribute.{hint}")
        start, end = int(fields[3]), int(fields[4])
        record = genes.get(gene_id)
        if record is None:
            genes[gene_id] = [
                gene_id,
                attributes.get("gene_name"),
                attributes.get("gene_biotype", attributes.get("gene_type", "")),
                fields[0],
                start,
                end,
                fields[6],
            ]
        else:
            record[4] = min(record[4], start)
            record[5] = max(record[5], end)
    if not genes:
        raise InputError(
            f"{path}: the GTF has no 'exon' lines, so there is nothing to count reads on. "
            "Use a gene annotation GTF (e.g. Ensembl's Homo_sapiens.GRCh38.<release>.gtf.gz)."
        )
    table = pd.DataFrame(list(genes.values()), columns=GENE_TABLE_COLUMNS)
    unnamed = table["gene_name"].isna()
    if unnamed.all():
        warnings.warn(
            f"{path}: no gene has a gene_name attribute; gene_id is used as the gene name.",
            stacklevel=2,
        )
    table.loc[unnamed, "gene_name"] = table.loc[unnamed, "gene_id"]
    return table


def write_gene_table(gtf: str | Path, output: str | Path) -> None:
    """Write :func:`read_gene_table` of ``gtf`` as TSV."""
    from drugsig.io import write_table_atomic

    write_table_atomic(read_gene_table(gtf), output)
