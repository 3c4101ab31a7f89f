import gzip
import importlib.util
import zlib
from pathlib import Path

import pytest

from drugsig.errors import InputError
from drugsig.reads import fastq
from drugsig.reads.fastq import FastqSummary, LengthStats, check_fastq

REDO = "Re-download or re-export the file (e.g. from the sequencing facility)."


def _records(count: int, mate: int = 1, style: str = "casava", first: int = 1) -> str:
    """``count`` FASTQ records with read lengths cycling through 50, 51 and 52."""
    text = []
    for number in range(first, first + count):
        length = 50 + number % 3
        name = {
            "casava": f"@M0:1:FC:1:1101:{number}:7 {mate}:N:0:ACGT",
            "slash": f"@read{number}/{mate}",
            "sra": f"@SRR1.{number} {number} length={length}",
        }[style]
        text.append(f"{name}\n{('ACGT' * 13)[:length]}\n+\n{'F' * length}\n")
    return "".join(text)


def _write(path: Path, text: str, compress: bool = True) -> Path:
    data = text.encode()
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


@pytest.fixture(params=["zlib", "isal"])
def inflate(request, monkeypatch):
    """Run a test with each inflate backend (stdlib zlib, and ISA-L when installed)."""
    if request.param == "isal":
        if importlib.util.find_spec("isal") is None:
            pytest.skip("python-isal is not installed")
        from isal import isal_zlib as backend
    else:
        backend = zlib
    monkeypatch.setattr(fastq, "inflate", backend)


def test_single_end_plain_and_gzip(tmp_path, inflate):
    text = _records(10)
    expected = FastqSummary(10, LengthStats(min=50, max=52, mean=51.0), None)
    assert check_fastq(_write(tmp_path / "r.fastq", text, compress=False)) == expected
    assert check_fastq(_write(tmp_path / "r.fastq.gz", text)) == expected


def test_last_record_without_final_newline(tmp_path):
    fq = _write(tmp_path / "r.fastq", _records(3).rstrip("\n"), compress=False)
    assert check_fastq(fq).records == 3


def test_trailing_blank_lines_are_tolerated(tmp_path):
    fq = _write(tmp_path / "r.fastq.gz", _records(3) + "\n\n")
    assert check_fastq(fq).records == 3


@pytest.mark.parametrize("style", ["casava", "slash", "sra"])
def test_paired_end(tmp_path, style):
    fq1 = _write(tmp_path / "r1.fastq.gz", _records(20, 1, style))
    fq2 = _write(tmp_path / "r2.fastq.gz", _records(20, 2, style))
    stats = LengthStats(min=50, max=52, mean=(6 * 50 + 7 * 51 + 7 * 52) / 20)
    assert check_fastq(fq1, fq2) == FastqSummary(20, stats, stats)


def test_multi_member_gzip_like_bgzip(tmp_path, inflate):
    fq = tmp_path / "r.fastq.gz"
    fq.write_bytes(
        gzip.compress(_records(4).encode())
        + gzip.compress(b"")
        + gzip.compress(_records(5, first=5).encode())
    )
    assert check_fastq(fq).records == 9


def test_missing_file(tmp_path):
    fq2 = tmp_path / "missing_R2.fastq.gz"
    with pytest.raises(InputError) as error:
        check_fastq(_write(tmp_path / "r1.fastq.gz", _records(1)), fq2)
    assert str(error.value) == (
        f"{fq2}: FASTQ file not found. Check the fq1/fq2 path in the units sheet."
    )


def test_empty_file(tmp_path):
    fq = tmp_path / "r.fastq.gz"
    fq.touch()
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}: FASTQ file is empty (0 bytes). Check the fq1/fq2 path in the units sheet, or "
        "copy or download the file again."
    )


@pytest.mark.parametrize("content", ["", "\n\n"])
def test_file_without_records(tmp_path, content):
    fq = _write(tmp_path / "r.fastq.gz", content)
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}: the file has no FASTQ records. Check the fq1/fq2 path in the units sheet, or "
        "re-export the file."
    )


def test_truncated_gzip_names_the_record(tmp_path, inflate):
    # a complete gzip member with 1000 records, then a member cut off after 20 bytes
    fq = tmp_path / "r.fastq.gz"
    second = gzip.compress(_records(500, first=1001).encode())
    fq.write_bytes(gzip.compress(_records(1000).encode()) + second[:20])
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}: the gzip stream is truncated after about 1000 records (it ends in or just "
        "before record 1001). The file was cut short, e.g. by an interrupted download or "
        "copy; copy or download it again."
    )


def test_gzip_cut_in_half_reports_what_gunzip_recovers(tmp_path, inflate):
    data = gzip.compress(_records(5000).encode())
    fq = tmp_path / "r.fastq.gz"
    fq.write_bytes(data[: len(data) // 2])
    recovered = zlib.decompressobj(wbits=31).decompress(data[: len(data) // 2])
    complete = recovered.count(b"\n") // 4
    assert 2000 < complete < 3000
    with pytest.raises(InputError, match=rf"truncated after about {complete} records \(it ends "):
        check_fastq(fq)


def test_corrupt_gzip(tmp_path, inflate):
    data = bytearray(gzip.compress(_records(100).encode()))
    data[-8] ^= 0xFF  # the CRC-32 of the member's content
    fq = tmp_path / "r.fastq.gz"
    fq.write_bytes(bytes(data))
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}: the gzip data is corrupt (detected after 0 records were read); copy or "
        "download it again."
    )


def _malformed(tmp_path: Path, record: int, line: int, replacement: str) -> Path:
    lines = _records(6).splitlines()
    lines[4 * (record - 1) + line - 1] = replacement
    return _write(tmp_path / "bad.fastq.gz", "\n".join(lines) + "\n")


def test_header_without_at(tmp_path):
    fq = _malformed(tmp_path, 3, 1, "M0:1:FC:1:1101:3:7 1:N:0:ACGT")
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}, record 3 (line 9): the header line should start with '@' but is "
        f"'M0:1:FC:1:1101:3:7 1:N:0:ACGT'. {REDO}"
    )


def test_blank_line_inside_the_file(tmp_path):
    fq = _write(tmp_path / "r.fastq", _records(2) + "\n" + _records(1), compress=False)
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}, record 3 (line 9): the header line should start with '@' but is ''. {REDO}"
    )


def test_missing_plus_line(tmp_path):
    fq = _malformed(tmp_path, 2, 3, "F" * 60)
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}, record 2 (line 7): expected the '+' line but found '{'F' * 40}...'. {REDO}"
    )


def test_sequence_and_quality_lengths_differ(tmp_path):
    fq = _malformed(tmp_path, 4, 4, "F" * 49)
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}, record 4 (line 16): the sequence has 51 bases but the quality line 49 values. "
        f"{REDO}"
    )


def test_file_ends_inside_a_record(tmp_path):
    fq = _write(tmp_path / "r.fastq.gz", _records(3) + "@M0:1:FC:1:1101:4:7 1:N:0:ACGT\nACGT\n")
    with pytest.raises(InputError) as error:
        check_fastq(fq)
    assert str(error.value) == (
        f"{fq}, record 4 (line 14): the file ends after line 2 of this record. {REDO}"
    )


@pytest.mark.parametrize(("count1", "count2", "longer"), [(5, 4, 1), (4, 5, 2)])
def test_mates_with_different_read_counts(tmp_path, count1, count2, longer):
    fq1 = _write(tmp_path / "r1.fastq.gz", _records(count1, 1))
    fq2 = _write(tmp_path / "r2.fastq.gz", _records(count2, 2))
    with pytest.raises(InputError) as error:
        check_fastq(fq1, fq2)
    assert str(error.value) == (
        f"{fq1} has {count1} records but {fq2} has {count2}: record 5 of "
        f"{fq1 if longer == 1 else fq2} has no mate. Mate files must have the same reads; one "
        "of them is probably incomplete. Copy or download the pair again."
    )


def test_mates_with_different_names(tmp_path):
    fq1 = _write(tmp_path / "r1.fastq.gz", _records(6, 1, "slash"))
    fq2 = _write(tmp_path / "r2.fastq.gz", _records(6, 2, "slash").replace("read3/", "read9/"))
    with pytest.raises(InputError) as error:
        check_fastq(fq1, fq2)
    assert str(error.value) == (
        f"{fq1} and {fq2}: read names differ at record 3 ('read3' vs 'read9', compared up to "
        "the first space, ignoring a trailing /1 or /2). Mate files must list the same reads "
        "in the same order; use the original pair of files, or re-pair them, e.g. with "
        "`seqkit pair`."
    )


def test_large_pair_streams_in_lockstep_across_blocks(tmp_path):
    # 30,000 records: the plain R1 arrives in three 1 MiB blocks, the gzipped R2 in one
    count = 30_000
    fq1 = _write(tmp_path / "r1.fastq", _records(count, 1), compress=False)
    fq2 = _write(tmp_path / "r2.fastq.gz", _records(count, 2))
    assert check_fastq(fq1, fq2).records == count
    swapped = _records(count, 2).replace(":25432:7 2", ":25433:7 X")
    fq2 = _write(tmp_path / "r2.fastq.gz", swapped)
    with pytest.raises(InputError, match="read names differ at record 25432 "):
        check_fastq(fq1, fq2)


def test_error_in_read2_is_reported_from_its_thread(tmp_path):
    fq1 = _write(tmp_path / "r1.fastq.gz", _records(6, 1))
    lines = _records(6, 2).splitlines()
    lines[22] = "x"
    fq2 = _write(tmp_path / "r2.fastq.gz", "\n".join(lines) + "\n")
    with pytest.raises(InputError) as error:
        check_fastq(fq1, fq2)
    assert str(error.value) == (
        f"{fq2}, record 6 (line 23): expected the '+' line but found 'x'. {REDO}"
    )


def test_mate_suffix_is_only_stripped_after_a_slash(tmp_path):
    fq1 = _write(tmp_path / "r1.fastq", "@a/1\nAC\n+\nFF\n@x11 1:N\nAC\n+\nFF\n", False)
    fq2 = _write(tmp_path / "r2.fastq", "@a\nAC\n+\nFF\n@x12 2:N\nAC\n+\nFF\n", False)
    with pytest.raises(InputError, match=r"at record 2 \('x11' vs 'x12', compared"):
        check_fastq(fq1, fq2)
