import gzip
import subprocess
import warnings
from pathlib import Path

import pytest

from drugsig.errors import InputError
from drugsig.reference.check import check_reference, check_source_file, fasta_contigs


def _exon(chrom: str, gene: str, named: bool = True) -> str:
    name = f' gene_name "{gene}N";' if named else ""
    return f'{chrom}\tsrc\texon\t10\t20\t.\t+\t.\tgene_id "{gene}";{name}\n'


def _write_fasta(path: Path, names: list[str]) -> Path:
    path.write_text("".join(f">{name} dna:chromosome\nACGT\nAC\n" for name in names))
    return path


def _write_gtf(path: Path, chroms: list[str], named: bool = True) -> Path:
    header = "#!genome-build GRCh38\n"
    path.write_text(header + "".join(_exon(c, f"G{i}", named) for i, c in enumerate(chroms)))
    return path


def test_fasta_contigs_from_headers_plain_and_gzip(tmp_path):
    plain = _write_fasta(tmp_path / "g.fa", ["1", "2", "MT"])
    packed = tmp_path / "g.fa.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert fasta_contigs(plain) == fasta_contigs(packed) == ["1", "2", "MT"]


def test_fasta_contigs_prefers_fai(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["1"])
    (tmp_path / "g.fa.fai").write_text("chr9\t6\t16\t4\t5\nchrX\t6\t40\t4\t5\n")
    assert fasta_contigs(fasta) == ["chr9", "chrX"]


def test_fasta_contigs_with_samtools_index(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["chr1", "chrM"])
    subprocess.run(["samtools", "faidx", str(fasta)], check=True)
    (tmp_path / "g.fa").write_text("")  # the index alone answers
    assert fasta_contigs(fasta) == ["chr1", "chrM"]


def test_fasta_without_headers(tmp_path):
    fasta = tmp_path / "g.fa"
    fasta.write_text("ACGT\n")
    with pytest.raises(InputError) as error:
        fasta_contigs(fasta)
    assert str(error.value) == f"{fasta}: no '>' sequence header found. Is this a FASTA file?"


def test_matching_reference(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["1", "2", "MT", "KI270728.1"])
    gtf = _write_gtf(tmp_path / "a.gtf", ["1", "1", "MT"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        comparison = check_reference(fasta, gtf)
    assert comparison.fasta == ("1", "2", "MT", "KI270728.1")
    assert comparison.gtf == ("1", "MT")
    assert comparison.missing_from_fasta == ()


def test_ucsc_gtf_with_ensembl_fasta(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["1", "2", "X", "Y", "MT"])
    gtf = _write_gtf(tmp_path / "a.gtf", ["chr1", "chr2", "chrX", "chrM"])
    with pytest.raises(InputError) as error:
        check_reference(fasta, gtf)
    assert str(error.value) == (
        f"{gtf} and {fasta} have no sequence name in common (GTF genes on: 'chr1', 'chr2', "
        "'chrX', ...; FASTA: '1', '2', 'X', ...). The GTF uses UCSC/GENCODE "
        "names ('chr1') and the FASTA Ensembl names ('1'). Use an annotation from the same "
        "source and release as the genome (config reference.preset downloads a matching "
        f"pair), or strip the prefix from the GTF: zcat -f {gtf} | "
        "sed -E 's/^chr//; s/^M\\t/MT\\t/' > annotation.gtf"
    )


def test_ensembl_gtf_with_ucsc_fasta(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["chr1", "chrM"])
    gtf = _write_gtf(tmp_path / "a.gtf", ["MT"])
    with pytest.raises(InputError) as error:
        check_reference(fasta, gtf)
    assert str(error.value) == (
        f"{gtf} and {fasta} have no sequence name in common (GTF genes on: 'MT'; FASTA: "
        "'chr1', 'chrM'). The GTF uses Ensembl names ('1') and the FASTA "
        "UCSC/GENCODE names ('chr1'). Use an annotation from the same source and release as "
        "the genome (config reference.preset downloads a matching pair), or add the prefix to "
        f"the GTF: zcat -f {gtf} | sed -E '/^#/!s/^/chr/; s/^chrMT\\t/chrM\\t/' > annotation.gtf"
    )


@pytest.mark.parametrize(
    ("fasta_names", "gtf_names"),
    [(["1", "2", "MT"], ["chr1", "chrM", "chr2"]), (["chr1", "chrM"], ["1", "MT"])],
)
def test_suggested_sed_command_fixes_the_gtf(tmp_path, fasta_names, gtf_names):
    fasta = _write_fasta(tmp_path / "g.fa", fasta_names)
    gtf = _write_gtf(tmp_path / "a.gtf", gtf_names)
    packed = tmp_path / "a.gtf.gz"
    packed.write_bytes(gzip.compress(gtf.read_bytes()))
    with pytest.raises(InputError) as error:
        check_reference(fasta, packed)
    command = str(error.value).split("GTF: ", 1)[1]
    subprocess.run(command, shell=True, cwd=tmp_path, check=True)
    fixed = check_reference(fasta, tmp_path / "annotation.gtf")
    assert set(fixed.gtf) == set(fasta_names)
    assert (tmp_path / "annotation.gtf").read_text().startswith("#!genome-build GRCh38\n")


def test_unrelated_names(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["NC_000001.11"])
    gtf = _write_gtf(tmp_path / "a.gtf", ["2L"])
    with pytest.raises(InputError) as error:
        check_reference(fasta, gtf)
    assert str(error.value) == (
        f"{gtf} and {fasta} have no sequence name in common (GTF genes on: '2L'; FASTA: "
        "'NC_000001.11'). Check that both files are for the same organism and genome assembly."
    )


def test_partial_overlap_warns(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["1"])
    gtf = _write_gtf(tmp_path / "a.gtf", ["1", "2", "2", "KI270728.1", "GL000009.2", "X"])
    with pytest.warns(UserWarning) as record:
        comparison = check_reference(fasta, gtf)
    assert [str(w.message) for w in record] == [
        f"{gtf}: 4 of 5 sequences with genes are not in {fasta} ('2', 'KI270728.1', "
        "'GL000009.2', ...); their 5 genes will get no reads. Use a FASTA and a GTF from the "
        "same source and release to count them."
    ]
    assert comparison.missing_from_fasta == ("2", "KI270728.1", "GL000009.2", "X")


def test_gtf_without_exons(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["1"])
    gtf = tmp_path / "a.gtf"
    gtf.write_text('1\tsrc\tgene\t10\t20\t.\t+\t.\tgene_id "G1";\n')
    with pytest.raises(InputError) as error:
        check_reference(fasta, gtf)
    assert str(error.value) == (
        f"{gtf}: the GTF has no 'exon' lines, so there is nothing to count reads on. Use a gene "
        "annotation GTF (e.g. Ensembl's Homo_sapiens.GRCh38.<release>.gtf.gz)."
    )


def test_gtf_without_gene_names_warns(tmp_path):
    fasta = _write_fasta(tmp_path / "g.fa", ["1"])
    gtf = _write_gtf(tmp_path / "a.gtf", ["1"], named=False)
    with pytest.warns(UserWarning) as record:
        check_reference(fasta, gtf)
    assert [str(w.message) for w in record] == [
        f"{gtf}: no gene has a gene_name attribute; gene_id is used as the gene name."
    ]


FASTA_FIX = "Give the genome FASTA (plain or gzip-compressed) as reference.fasta."
GTF_FIX = "Give the gene annotation GTF (plain or gzip-compressed) as reference.gtf."


@pytest.mark.parametrize(
    ("kind", "data", "problem"),
    [
        ("fasta", b"", f": the file is empty (0 bytes). {FASTA_FIX}"),
        ("fasta", gzip.compress(b""), f": the gzip file holds no data (it is empty). {FASTA_FIX}"),
        ("fasta", b"\nACGT\n>chr1\n", ": the FASTA should start with a '>' sequence header line "
         f"but starts with 'ACGT'. {FASTA_FIX}"),
        ("fasta", b"<!DOCTYPE html><html>", ": the FASTA should start with a '>' sequence header "
         f"line but starts with '<!DOCTYPE html><html>'. {FASTA_FIX}"),
        ("gtf", b"#!genome-build x\nchr1 src exon 1 2 . + . gene_id \"G\";\n", ", line 2: "
         f"expected 9 tab-separated GTF fields, found 1. Is this a GTF file? {GTF_FIX}"),
        ("gtf", "#x\n".encode("utf-16"), f": the file is UTF-16 text, not UTF-8. {GTF_FIX}"),
    ],
)  # fmt: skip
def test_check_source_file_rejects(tmp_path, kind, data, problem):
    path = tmp_path / f"input.{kind}"
    path.write_bytes(data)
    with pytest.raises(InputError) as error:
        check_source_file(path, kind)
    assert str(error.value) == f"{path}{problem}"


def test_check_source_file_accepts_good_and_leaves_missing_to_snakemake(tmp_path):
    fasta = tmp_path / "genome.fa.gz"
    fasta.write_bytes(gzip.compress(b">1 dna\nACGT\n"))
    check_source_file(fasta, "fasta")
    gtf = tmp_path / "genes.gtf"
    gtf.write_text("#!build\n" + _exon("1", "G1"))
    check_source_file(gtf, "gtf")
    check_source_file(tmp_path / "absent.fa", "fasta")
