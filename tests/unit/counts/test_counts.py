import pandas as pd
import pytest

from drugsig.counts.matrix import (
    import_count_matrix,
    merge_counts,
    write_count_matrix,
)
from drugsig.errors import InputError
from drugsig.inputs.sheets import Unit
from drugsig.reads.featurecounts import declared_strandedness

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


def test_declared_strandedness_from_units_or_default():
    units = [Unit("s", "L1", "a", None, None), Unit("s", "L2", "b", None, None)]
    assert declared_strandedness(units, "reverse") == "reverse"
    assert declared_strandedness([Unit("s", "L1", "a", None, "none")], "auto") == "none"
    mixed = [Unit("s", "L1", "a", None, "forward"), Unit("s", "L2", "b", None, None)]
    with pytest.raises(InputError, match="sample 's': its units declare different strandedness"):
        declared_strandedness(mixed, "reverse")


def samples_table(names):
    return pd.DataFrame({"sample": names, "condition": ["DMSO"] * len(names)}).set_index(
        "sample", drop=False
    )


FEATURECOUNTS_MATRIX = (
    "# Program:featureCounts v2.0.1\n"
    "Geneid\tChr\tStart\tEnd\tStrand\tLength\t"
    "rnaseq/A_1/A_1.small.sorted.bam\trnaseq/A_2/A_2.small.sorted.bam\n"
    "ENSG01.3\tchr17\t1\t9\t+\t9\t5\t0\n"
    "ENSG02.1\tchr17\t20\t29\t-\t10\t7\t12\n"
)


def test_import_featurecounts_output_maps_bam_paths_to_samples(tmp_path):
    path = tmp_path / "fc.txt"
    path.write_text(FEATURECOUNTS_MATRIX)
    genes = pd.DataFrame({"gene_id": ["ENSG01.3", "ENSG02"], "gene_name": ["TP53", "MDM2"]})
    table = import_count_matrix(path, samples_table(["A_2", "A_1"]), genes)
    assert table.to_dict("list") == {
        "gene_id": ["ENSG01.3", "ENSG02.1"],
        "gene_name": ["TP53", "MDM2"],  # second matched without the version suffix
        "A_2": [0, 12],
        "A_1": [5, 7],
    }


def test_import_plain_matrix_keeps_its_gene_names(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("id\tgene_name\ts1\ts2\nG1\tCDKN1A\t3\t4\nG2\t\t1\t0\n")
    table = import_count_matrix(path, samples_table(["s1", "s2"]))
    assert table["gene_name"].tolist() == ["CDKN1A", "G2"]


def test_import_mismatch_lists_missing_and_extra(tmp_path):
    path = tmp_path / "fc.txt"
    path.write_text(FEATURECOUNTS_MATRIX)
    with pytest.raises(InputError) as error:
        import_count_matrix(path, samples_table(["A_1", "B_1"]))
    assert str(error.value).startswith(
        f"{path}: the count matrix's columns do not match the samples sheet. Samples without "
        "a column: B_1. Columns without a sample: rnaseq/A_2/A_2.small.sorted.bam."
    )


def test_import_rejects_non_counts(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("id\ts1\nG1\t3\nG2\t2.5\n")
    with pytest.raises(InputError) as error:
        import_count_matrix(path, samples_table(["s1"]))
    assert str(error.value) == (
        f"{path}: gene 'G2', sample 's1': '2.5' is not a count (a non-negative integer)."
    )


def test_counts_column_maps_exactly(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("id\tlib.x\tlib.y\nG1\t3\t4\n")
    samples = samples_table(["s1", "s2"])
    samples["counts_column"] = ["lib.y", "lib.x"]
    table = import_count_matrix(path, samples)
    assert table[["s1", "s2"]].to_dict("list") == {"s1": [4], "s2": [3]}
