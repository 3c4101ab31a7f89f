import gzip

import pytest

from drugsig.errors import InputError
from drugsig.inputs.files import HEAD_BYTES, binary_problem, read_head

FIX = "Fix it."


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty (0 bytes). Fix it."),
        (gzip.compress(b""), "the gzip file holds no data (it is empty). Fix it."),
        (b"\n \n", "the file has only blank lines (it is empty). Fix it."),
        (
            b"\x1f\x8bnot gzip",
            "the file starts like gzip but its data is corrupt (Error -3 while decompressing "
            "data: unknown compression method). Copy or download it again.",
        ),
        (
            b"PK\x03\x04" + bytes(30),
            "the file is a zip archive (an Excel .xlsx workbook?), not a text file. Fix it.",
        ),
        ("a\tb\n".encode("utf-16"), "the file is UTF-16 text, not UTF-8. Fix it."),
        ("a\tb\nc\td\n".encode("utf-16-le"), "the file is UTF-16 text, not UTF-8. Fix it."),
        (bytes(range(256)), "the file holds binary data (a NUL byte at byte 1), not text. Fix it."),
        (
            gzip.compress(b"a\x00\x01\x02"),
            "the file holds binary data (a NUL byte at byte 2), not text. Fix it.",
        ),
    ],
)  # fmt: skip
def test_read_head_rejects(tmp_path, data, problem):
    path = tmp_path / "file"
    path.write_bytes(data)
    with pytest.raises(InputError) as error:
        read_head(path, FIX)
    assert str(error.value) == f"{path}: {problem}"


def test_read_head_names_the_line_of_a_non_utf8_byte(tmp_path):
    path = tmp_path / "file"
    path.write_bytes("a\nb\ndose_µM\n".encode("latin-1"))
    with pytest.raises(InputError) as error:
        read_head(path, FIX)
    assert str(error.value) == f"{path}, line 3: the file is not UTF-8 text (byte 0xb5). Fix it."


def test_read_head_decompresses_and_tolerates_a_cut_character(tmp_path):
    text = "x" * (HEAD_BYTES - 1) + "µ"  # the two-byte character is cut at HEAD_BYTES
    path = tmp_path / "file.gz"
    path.write_bytes(gzip.compress(text.encode()))
    assert read_head(path, FIX) == "x" * (HEAD_BYTES - 1)


def test_read_head_does_not_read_a_truncated_gzip_to_its_end(tmp_path):
    data = gzip.compress(b">chr1\n" + b"ACGT" * 100_000)
    path = tmp_path / "genome.fa.gz"
    path.write_bytes(data[: len(data) // 2])
    assert read_head(path, FIX).startswith(">chr1\nACGT")


def test_binary_problem_is_none_for_text():
    assert binary_problem("sample\tcondition\nµ\n".encode()) is None
