import gzip

import pytest

from drugsig.errors import InputError
from drugsig.reference.gtf import parse_attributes, read_gene_table

G1 = 'gene_id "G1"; gene_name "CDKN1A"; gene_biotype "protein_coding";'
GTF = (
    "#!genome-build test\n"
    f"1\tsim\tgene\t100\t900\t.\t+\t.\t{G1}\n"
    f'1\tsim\texon\t100\t200\t.\t+\t.\t{G1} transcript_id "T1";\n'
    f'1\tsim\texon\t700\t900\t.\t+\t.\t{G1} transcript_id "T1";\n'
    '2\tsim\texon\t50\t80\t.\t-\t.\tgene_id "G2"; transcript_id "T2"; gene_biotype "lncRNA";\n'
)


def test_gene_table_from_exons_gzipped(tmp_path):
    path = tmp_path / "a.gtf.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(GTF)
    table = read_gene_table(path)
    assert table.to_dict("records") == [
        {"gene_id": "G1", "gene_name": "CDKN1A", "gene_biotype": "protein_coding",
         "chrom": "1", "start": 100, "end": 900, "strand": "+"},
        {"gene_id": "G2", "gene_name": "G2", "gene_biotype": "lncRNA",
         "chrom": "2", "start": 50, "end": 80, "strand": "-"},
    ]  # fmt: skip


def test_no_gene_names_warns(tmp_path):
    path = tmp_path / "a.gtf"
    path.write_text('1\ts\texon\t1\t5\t.\t+\t.\tgene_id "G1"; transcript_id "T1";\n')
    with pytest.warns(UserWarning, match="no gene has a gene_name attribute; gene_id is used"):
        table = read_gene_table(path)
    assert table["gene_name"].tolist() == ["G1"]


def test_gtf_without_exons(tmp_path):
    path = tmp_path / "a.gtf"
    path.write_text('1\ts\tgene\t1\t5\t.\t+\t.\tgene_id "G1";\n')
    with pytest.raises(InputError, match="a.gtf: the GTF has no 'exon' lines"):
        read_gene_table(path)


def test_not_a_gtf(tmp_path):
    path = tmp_path / "a.gtf"
    path.write_text(">1\nACGT\n")
    with pytest.raises(InputError, match=r"a.gtf, line 1: expected 9 tab-separated GTF fields"):
        read_gene_table(path)


def test_parse_attributes_first_value_wins():
    assert parse_attributes('gene_id "A"; tag "x"; tag "y";') == {"gene_id": "A", "tag": "x"}
