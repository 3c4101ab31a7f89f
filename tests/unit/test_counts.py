import pandas as pd
import pytest

from drugsig.counts import featurecounts_strand, merge_counts, write_count_matrix
from drugsig.errors import InputError
from drugsig.sheets import Unit

HEADER = "# Program:featureCounts v2.0.3\nGeneid\tChr\tStart\tEnd\tStrand\tLength\t{bam}\n"


def featurecounts_table(path, bam, counts):
    rows = "".join(f"{gene}\t1\t1\t10\t+\t10\t{n}\n" for gene, n in counts.items())
    path.write_text(HEADER.format(bam=bam) + rows)
    return path


GENES = pd.DataFrame({"gene_id": ["G1", "G2", "G3"], "gene_name": ["CDKN1A", "MDM2", "G3"]})


def test_merge_counts_orders_samples_and_names_genes(tmp_path):
    a = featurecounts_table(tmp_path / "a.tsv", "results/star/a.bam", {"G1": 5, "G2": 0, "G3": 7})
    b = featurecounts_table(tmp_path / "b.tsv", "results/star/b.bam", {"G1": 1, "G2": 2, "G3": 3})
    matrix = merge_counts({"b": b, "a": a}, GENES)
    assert list(matrix.columns) == ["gene_id", "gene_name", "b", "a"]
    assert matrix["gene_name"].tolist() == ["CDKN1A", "MDM2", "G3"]
    assert matrix["a"].tolist() == [5, 0, 7]
    assert matrix["b"].tolist() == [1, 2, 3]


def test_zero_assigned_reads_is_an_error(tmp_path):
    a = featurecounts_table(tmp_path / "a.tsv", "a.bam", {"G1": 0, "G2": 0, "G3": 0})
    with pytest.raises(InputError) as error:
        merge_counts({"a": a}, GENES)
    assert str(error.value) == (
        f"sample 'a': 0 reads were assigned to genes ({a}). Check the FASTQ files, the "
        "reference and the strandedness setting."
    )


def test_written_matrix_roundtrips(tmp_path):
    a = featurecounts_table(tmp_path / "a.tsv", "a.bam", {"G1": 5, "G2": 1, "G3": 7})
    write_count_matrix({"a": a}, _genes_file(tmp_path), tmp_path / "out" / "counts.tsv")
    assert (tmp_path / "out" / "counts.tsv").read_text() == (
        "gene_id\tgene_name\ta\nG1\tCDKN1A\t5\nG2\tMDM2\t1\nG3\tG3\t7\n"
    )
    assert not list((tmp_path / "out").glob(".*tmp"))


def _genes_file(tmp_path):
    path = tmp_path / "genes.tsv"
    GENES.to_csv(path, sep="\t", index=False)
    return path


def test_strand_flag_from_units_or_default():
    units = [Unit("s", "L1", "a", None, None), Unit("s", "L2", "b", None, None)]
    assert featurecounts_strand(units, "reverse") == 2
    assert featurecounts_strand([Unit("s", "L1", "a", None, "none")], "reverse") == 0
    mixed = [Unit("s", "L1", "a", None, "forward"), Unit("s", "L2", "b", None, None)]
    with pytest.raises(InputError, match="sample 's': its units declare different strandedness"):
        featurecounts_strand(mixed, "reverse")
