import gzip

import pandas as pd
import pytest

from drugsig.counts.matrix import (
    MATRIX_FIX,
    check_count_matrix_header,
    column_sample_name,
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


@pytest.mark.parametrize(
    ("column", "sample"),
    [
        ("rnaseq/dose0.22_r1/dose0.22_r1.sorted.bam", "dose0.22_r1"),
        ("dose0.22_r1", "dose0.22_r1"),
        ("dose0.bam", "dose0"),
        ("rnaseq/A_2/A_2.small.sorted.bam", "A_2"),
    ],
)
def test_column_sample_name_drops_extensions_until_a_sample_matches(column, sample):
    assert column_sample_name(column, {"dose0.22_r1", "dose0", "A_2"}) == sample


def test_import_maps_dotted_sample_names(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("id\tbams/dose0.22_r1.sorted.bam\tdose0.bam\nG1\t3\t4\n")
    table = import_count_matrix(path, samples_table(["dose0", "dose0.22_r1"]))
    assert table[["dose0", "dose0.22_r1"]].to_dict("list") == {"dose0": [4], "dose0.22_r1": [3]}


def test_import_rejects_two_columns_of_one_sample(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("id\ta/s1.bam\tb/s1.bam\nG1\t3\t4\n")
    with pytest.raises(InputError) as error:
        import_count_matrix(path, samples_table(["s1"]))
    assert str(error.value) == (
        f"{path}: columns 'a/s1.bam' and 'b/s1.bam' are both sample 's1'; each sample needs "
        "exactly one column."
    )


def test_import_rejects_a_duplicate_gene_id(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_text("id\ts1\nG1\t3\nG2\t2\nG1\t5\nG2\t1\nG3\t0\n")
    with pytest.raises(InputError) as error:
        import_count_matrix(path, samples_table(["s1"]))
    assert str(error.value) == (
        f"{path}: gene id 'G1' is on 2 rows (data rows 1, 3) and 1 more gene ids repeat; gene "
        "ids must be unique. Sum or remove the repeated rows."
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the count matrix is empty. " + MATRIX_FIX),
        (b"id\ts1\n", "the count matrix has a header but no gene rows."),
        (b"id\ts1\nG\xb5\t1\n", "the count matrix is not UTF-8 text (byte 0xb5). " + MATRIX_FIX),
    ],
)
def test_import_reports_unreadable_matrices(tmp_path, data, problem):
    path = tmp_path / "counts.tsv"
    path.write_bytes(data)
    with pytest.raises(InputError) as error:
        import_count_matrix(path, samples_table(["s1"]))
    where = f"{path}, line 2" if b"\xb5" in data else str(path)
    assert str(error.value) == f"{where}: {problem}"


def test_import_reports_a_truncated_gzip(tmp_path):
    path = tmp_path / "counts.tsv.gz"
    rows = "".join(f"G{i}\t{i}\n" for i in range(5000))
    data = gzip.compress(f"id\ts1\n{rows}".encode())
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as error:
        import_count_matrix(path, samples_table(["s1"]))
    assert str(error.value) == (
        f"{path}: the gzip data is truncated or corrupt (Compressed file ended before the "
        "end-of-stream marker was reached). Copy or download the file again."
    )


def test_import_reads_gzip_by_content_not_name(tmp_path):
    path = tmp_path / "counts.tsv"
    path.write_bytes(gzip.compress(b"id\ts1\nG1\t3\n"))
    assert import_count_matrix(path, samples_table(["s1"]))["s1"].tolist() == [3]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id,s1\nG1,3\n", ", line 1: the count matrix is not tab-separated (the header is split "
         "by commas). Save it as tab-separated values (TSV)."),
        ("# comment\nid\ts1\ts1\nG1\t3\t4\n", ", line 2: column 's1' appears more than once in "
         "the header; each sample needs exactly one column."),
        ("# only a comment\n", ": the count matrix has no header line. " + MATRIX_FIX),
        ("id\ts2\nG1\t3\n", ": the count matrix's columns do not match the samples sheet. "
         "Samples without a column: s1. Columns without a sample: s2. Columns map to samples "
         "by file name, without its extensions (featureCounts' BAM paths work as they are), "
         "or exactly by a `counts_column` column in the samples sheet."),
    ],
)  # fmt: skip
def test_count_matrix_header_check(tmp_path, text, problem):
    path = tmp_path / "counts.tsv"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        check_count_matrix_header(path, samples_table(["s1"]))
    assert str(error.value) == f"{path}{problem}"


def test_count_matrix_header_check_missing_and_excel(tmp_path):
    path = tmp_path / "counts.tsv"
    with pytest.raises(InputError) as error:
        check_count_matrix_header(path, samples_table(["s1"]))
    assert str(error.value) == f"{path}: file not found (config 'counts')."
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(50))
    with pytest.raises(InputError) as error:
        check_count_matrix_header(path, samples_table(["s1"]))
    assert str(error.value) == (
        f"{path}: the file is an Excel .xls workbook (or another Office document), not a text "
        f"file. {MATRIX_FIX}"
    )


def test_count_matrix_header_check_passes_featurecounts_output(tmp_path):
    path = tmp_path / "fc.txt"
    path.write_text(FEATURECOUNTS_MATRIX)
    check_count_matrix_header(path, samples_table(["A_1", "A_2"]))
