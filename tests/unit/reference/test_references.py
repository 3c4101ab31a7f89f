import gzip
import hashlib
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from drugsig.errors import InputError
from drugsig.reference.download import (
    BsdSum,
    download,
    download_reference,
    ensembl_preset,
    gencode_preset,
    parse_checksum_list,
    preset_from_config,
)

FASTA = b">1\nACGTACGTAC\n>MT\nGATTACA\n"
GTF = b'1\tensembl\texon\t1\t5\t.\t+\t.\tgene_id "G1"; gene_name "A";\n'


class _Handler(SimpleHTTPRequestHandler):
    """Serves a directory; paths in ``truncated`` get half their announced body."""

    truncated: frozenset[str] = frozenset()

    def copyfile(self, source, outputfile) -> None:
        if self.path in self.truncated:
            data = source.read()
            outputfile.write(data[: len(data) // 2])
            self.close_connection = True
        else:
            super().copyfile(source, outputfile)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, type[_Handler]]]:
    """A local HTTP server: (base URL, served directory, handler class)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = type("Handler", (_Handler,), {"truncated": frozenset()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root, handler
    httpd.shutdown()
    httpd.server_close()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _ensembl_tree(root: Path, release: int) -> None:
    """Lay out an Ensembl release like ftp.ensembl.org, CHECKSUMS written by `sum`."""
    fasta_dir = root / f"pub/release-{release}/fasta/homo_sapiens/dna"
    gtf_dir = root / f"pub/release-{release}/gtf/homo_sapiens"
    names = {
        fasta_dir: ["Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz"],
        gtf_dir: [f"Homo_sapiens.GRCh38.{release}.gtf.gz"],
    }
    _write(fasta_dir / names[fasta_dir][0], gzip.compress(FASTA * 300, mtime=0))
    _write(gtf_dir / names[gtf_dir][0], gzip.compress(GTF, mtime=0))
    for directory, files in names.items():
        listing = subprocess.run(["sum", *files], cwd=directory, capture_output=True, check=True)
        (directory / "CHECKSUMS").write_bytes(listing.stdout)


def _gencode_tree(root: Path, release: int) -> Path:
    directory = root / f"gencode/release_{release}"
    files = {
        "GRCh38.primary_assembly.genome.fa.gz": gzip.compress(FASTA.replace(b">", b">chr")),
        f"gencode.v{release}.primary_assembly.annotation.gtf.gz": gzip.compress(b"chr" + GTF),
    }
    for name, data in files.items():
        _write(directory / name, data)
    (directory / "MD5SUMS").write_text(
        "".join(f"{hashlib.md5(data).hexdigest()}  {name}\n" for name, data in files.items())
    )
    return directory


def test_ensembl_preset_urls():
    preset = ensembl_preset(112)
    release = "https://ftp.ensembl.org/pub/release-112"
    assert preset.fasta.url == (
        f"{release}/fasta/homo_sapiens/dna/Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz"
    )
    assert preset.fasta.checksums_url == f"{release}/fasta/homo_sapiens/dna/CHECKSUMS"
    assert preset.gtf.url == f"{release}/gtf/homo_sapiens/Homo_sapiens.GRCh38.112.gtf.gz"
    assert preset.gtf.checksums_url == f"{release}/gtf/homo_sapiens/CHECKSUMS"
    assert preset.fasta.algorithm == preset.gtf.algorithm == "bsd_sum"
    assert preset.fasta.name == "Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz"


def test_gencode_preset_urls():
    preset = gencode_preset(46)
    release = "https://ftp.ebi.ac.uk/pub/databases/gencode/Gencode_human/release_46"
    assert preset.fasta.url == f"{release}/GRCh38.primary_assembly.genome.fa.gz"
    assert preset.gtf.url == f"{release}/gencode.v46.primary_assembly.annotation.gtf.gz"
    assert preset.fasta.checksums_url == preset.gtf.checksums_url == f"{release}/MD5SUMS"
    assert preset.gtf.algorithm == "md5"


def test_presets_never_use_the_toplevel_assembly():
    for preset in (ensembl_preset(112), gencode_preset(46)):
        assert "primary_assembly" in preset.fasta.url
        assert "toplevel" not in preset.fasta.url


def test_preset_from_config_with_base_url():
    preset = preset_from_config({"source": "ensembl", "release": 110, "base_url": "http://m/pub/"})
    assert (
        preset.gtf.url == "http://m/pub/release-110/gtf/homo_sapiens/Homo_sapiens.GRCh38.110.gtf.gz"
    )
    assert preset_from_config({"source": "gencode", "release": 46}) == gencode_preset(46)


def test_preset_from_config_unknown_source():
    with pytest.raises(InputError) as error:
        preset_from_config({"source": "ucsc", "release": 1})
    assert str(error.value) == (
        "config reference.preset.source is 'ucsc'; use 'ensembl' or 'gencode'."
    )


@pytest.mark.parametrize("release", ["112", 0, True, None])
def test_preset_from_config_bad_release(release):
    with pytest.raises(InputError) as error:
        preset_from_config({"source": "ensembl", "release": release})
    assert str(error.value) == (
        f"config reference.preset.release is {release!r}; give the ensembl release as a whole "
        "number, e.g. 112 for Ensembl or 46 for GENCODE."
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # reference values printed by GNU coreutils `sum`
        (b"", "0 0"),
        (b"hello\n", "36979 1"),
        (b"x" * 1024, "65409 1"),
        (b"x" * 1025, "56 2"),
        (bytes(range(256)) * 5000, "4096 1250"),
    ],
)
def test_bsd_sum_matches_coreutils_sum(data, expected):
    checksum = BsdSum()
    for start in range(0, len(data), 1000):  # in pieces, as a download arrives
        checksum.update(data[start : start + 1000])
    assert checksum.hexdigest() == expected


def test_parse_checksum_list_sum_format():
    text = "04096  1250 a.fa.gz\n\n36979 1 b.gtf.gz\n"
    assert parse_checksum_list(text, "CHECKSUMS", "bsd_sum") == {
        "a.fa.gz": "4096 1250",
        "b.gtf.gz": "36979 1",
    }


def test_parse_checksum_list_md5sum_format():
    text = "D41D8CD98F00B204E9800998ECF8427E *a.gz\n0cc175b9c0f1b6a831c399e269772661  b.gz\n"
    assert parse_checksum_list(text, "MD5SUMS", "md5") == {
        "a.gz": "d41d8cd98f00b204e9800998ecf8427e",
        "b.gz": "0cc175b9c0f1b6a831c399e269772661",
    }


def test_parse_checksum_list_bad_line():
    with pytest.raises(InputError) as error:
        parse_checksum_list("12 3 a.gz\nd41d8cd98f a.gz\n", "http://x/CHECKSUMS", "bsd_sum")
    assert str(error.value) == (
        "http://x/CHECKSUMS, line 2: expected '<checksum> <blocks> <file name>' as written by "
        "`sum`, found 'd41d8cd98f a.gz'."
    )
    with pytest.raises(InputError) as error:
        parse_checksum_list("d41d8cd98f\n", "MD5SUMS", "md5")
    assert str(error.value) == (
        "MD5SUMS, line 1: expected '<md5> <file name>' as written by `md5sum`, found 'd41d8cd98f'."
    )


def test_download_ensembl_preset_from_local_mirror(server, tmp_path):
    base_url, root, _ = server
    _ensembl_tree(root, 112)
    out = tmp_path / "out"
    download_reference(
        {"source": "ensembl", "release": 112, "base_url": f"{base_url}/pub"},
        out / "genome.fa.gz",
        out / "genes.gtf.gz",
    )
    assert gzip.decompress((out / "genome.fa.gz").read_bytes()) == FASTA * 300
    assert gzip.decompress((out / "genes.gtf.gz").read_bytes()) == GTF
    assert sorted(path.name for path in out.iterdir()) == ["genes.gtf.gz", "genome.fa.gz"]


def test_download_gencode_preset_from_local_mirror(server, tmp_path):
    base_url, root, _ = server
    directory = _gencode_tree(root, 46)
    download_reference(
        {"source": "gencode", "release": 46, "base_url": f"{base_url}/gencode"},
        tmp_path / "genome.fa.gz",
        tmp_path / "genes.gtf.gz",
    )
    assert (tmp_path / "genes.gtf.gz").read_bytes() == (
        directory / "gencode.v46.primary_assembly.annotation.gtf.gz"
    ).read_bytes()


def test_download_wrong_checksum_leaves_no_file(server, tmp_path):
    base_url, root, _ = server
    directory = _gencode_tree(root, 46)
    gtf_name = "gencode.v46.primary_assembly.annotation.gtf.gz"
    listing = directory / "MD5SUMS"
    listing.write_text(listing.read_text().replace(f"  {gtf_name}", f"x  {gtf_name}"))
    expected = listing.read_text().splitlines()[1].split()[0]
    actual = hashlib.md5((directory / gtf_name).read_bytes()).hexdigest()
    with pytest.raises(InputError) as error:
        download_reference(
            {"source": "gencode", "release": 46, "base_url": f"{base_url}/gencode"},
            tmp_path / "out/genome.fa.gz",
            tmp_path / "out/genes.gtf.gz",
        )
    assert str(error.value) == (
        f"Downloading {base_url}/gencode/release_46/{gtf_name} failed: its md5 checksum is "
        f"{actual!r} but the server's checksum list says {expected!r}; the download is corrupt "
        "or the file changed on the server. Run the workflow again to retry."
    )
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["genome.fa.gz"]


def test_download_wrong_bsd_sum(server, tmp_path):
    base_url, root, _ = server
    _write(root / "f.gz", b"hello\n")
    with pytest.raises(InputError) as error:
        download(f"{base_url}/f.gz", tmp_path / "f.gz", "36979 2", "bsd_sum")
    assert str(error.value) == (
        f"Downloading {base_url}/f.gz failed: its bsd_sum checksum is '36979 1' but the server's "
        "checksum list says '36979 2'; the download is corrupt or the file changed on the "
        "server. Run the workflow again to retry."
    )
    assert list(tmp_path.iterdir()) == [root]


def test_download_truncated_transfer_leaves_no_file(server, tmp_path):
    base_url, root, handler = server
    _ensembl_tree(root, 112)
    path = "/pub/release-112/fasta/homo_sapiens/dna/Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz"
    handler.truncated = frozenset({path})
    size = (root / path.lstrip("/")).stat().st_size
    with pytest.raises(InputError) as error:
        download_reference(
            {"source": "ensembl", "release": 112, "base_url": f"{base_url}/pub"},
            tmp_path / "out/genome.fa.gz",
            tmp_path / "out/genes.gtf.gz",
        )
    assert str(error.value) == (
        f"Downloading {base_url}{path} failed: received {size // 2} bytes but the server "
        f"announced {size} (Content-Length); the transfer was cut short. "
        "Run the workflow again to retry."
    )
    assert list((tmp_path / "out").iterdir()) == []


def test_download_http_404(server, tmp_path):
    base_url, _, _ = server
    with pytest.raises(InputError) as error:
        download_reference(
            {"source": "ensembl", "release": 999, "base_url": f"{base_url}/pub"},
            tmp_path / "genome.fa.gz",
            tmp_path / "genes.gtf.gz",
        )
    assert str(error.value) == (
        f"Downloading {base_url}/pub/release-999/fasta/homo_sapiens/dna/CHECKSUMS failed: "
        "HTTP 404 File not found. Check the release and base_url in the config's "
        "reference.preset."
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["www"]


def test_download_file_missing_from_checksum_list(server, tmp_path):
    base_url, root, _ = server
    directory = _gencode_tree(root, 46)
    (directory / "MD5SUMS").write_text("")
    with pytest.raises(InputError) as error:
        download_reference(
            {"source": "gencode", "release": 46, "base_url": f"{base_url}/gencode"},
            tmp_path / "genome.fa.gz",
            tmp_path / "genes.gtf.gz",
        )
    assert str(error.value) == (
        f"{base_url}/gencode/release_46/MD5SUMS lists no checksum for "
        "GRCh38.primary_assembly.genome.fa.gz, so its download cannot be verified. Check the "
        "release in the config's reference.preset."
    )


def test_download_connection_refused(tmp_path):
    with ThreadingHTTPServer(("127.0.0.1", 0), _Handler) as unused:
        port = unused.server_address[1]
    with pytest.raises(InputError) as error:
        download(f"http://127.0.0.1:{port}/f.gz", tmp_path / "f.gz", "0 0", "bsd_sum")
    assert str(error.value) == (
        f"Downloading http://127.0.0.1:{port}/f.gz failed: URLError: <urlopen error [Errno 111] "
        "Connection refused>. Check the network connection. Run the workflow again to retry."
    )
    assert list(tmp_path.iterdir()) == []
