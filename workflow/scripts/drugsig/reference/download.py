"""Named GRCh38 reference presets (Ensembl, GENCODE) and checksum-verified downloads.

A preset is the *primary assembly* FASTA (chromosomes plus unlocalized/unplaced
scaffolds; never the ``toplevel`` file with its alternate haplotypes, which would
make reads multi-map) and the matching gene annotation GTF:

* Ensembl release ``r``: ``Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz`` and
  ``Homo_sapiens.GRCh38.<r>.gtf.gz``, chromosomes named ``1``, ``2``, ..., ``MT``.
  Each directory has a ``CHECKSUMS`` file written by ``sum`` (the BSD 16-bit
  checksum and the size in 1024-byte blocks, ``"<checksum> <blocks> <name>"``).
* GENCODE release ``v``: ``GRCh38.primary_assembly.genome.fa.gz`` and
  ``gencode.v<v>.primary_assembly.annotation.gtf.gz``, chromosomes named ``chr1``,
  ..., ``chrM``, with an ``MD5SUMS`` file (``md5sum`` format) in the release directory.

Downloads stream to a temporary file next to the destination, are checked against
the server's checksum list (and the announced Content-Length) and only then
renamed into place, so a failed download never leaves a file at the destination.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from drugsig.errors import InputError

ENSEMBL_BASE_URL = "https://ftp.ensembl.org/pub"
GENCODE_BASE_URL = "https://ftp.ebi.ac.uk/pub/databases/gencode/Gencode_human"

Algorithm = Literal["bsd_sum", "md5"]

_CHUNK_BYTES = 1 << 20
_RETRY_HINT = "Run the workflow again to retry."


@dataclass(frozen=True)
class RemoteFile:
    """A file on a reference server and the checksum list that covers it."""

    url: str
    checksums_url: str
    algorithm: Algorithm

    @property
    def name(self) -> str:
        """The file name, as listed in the checksum list."""
        return self.url.rsplit("/", 1)[1]


@dataclass(frozen=True)
class ReferencePreset:
    """A genome FASTA and its gene annotation GTF from one named release."""

    label: str
    fasta: RemoteFile
    gtf: RemoteFile


def ensembl_preset(release: int, base_url: str = ENSEMBL_BASE_URL) -> ReferencePreset:
    """GRCh38 primary assembly and gene annotation of an Ensembl release.

    Parameters
    ----------
    release
        Ensembl release number, e.g. 112.
    base_url
        The server's ``pub`` directory (override it to use a mirror).
    """
    root = f"{base_url.rstrip('/')}/release-{release}"
    fasta_dir = f"{root}/fasta/homo_sapiens/dna"
    gtf_dir = f"{root}/gtf/homo_sapiens"
    return ReferencePreset(
        label=f"Ensembl release {release} GRCh38 primary assembly",
        fasta=RemoteFile(
            f"{fasta_dir}/Homo_sapiens.GRCh38.dna.primary_assembly.fa.gz",
            f"{fasta_dir}/CHECKSUMS",
            "bsd_sum",
        ),
        gtf=RemoteFile(
            f"{gtf_dir}/Homo_sapiens.GRCh38.{release}.gtf.gz", f"{gtf_dir}/CHECKSUMS", "bsd_sum"
        ),
    )


def gencode_preset(release: int, base_url: str = GENCODE_BASE_URL) -> ReferencePreset:
    """GRCh38 primary assembly and its annotation from a GENCODE human release.

    Parameters
    ----------
    release
        GENCODE human release (version) number, e.g. 46.
    base_url
        The ``Gencode_human`` directory (override it to use a mirror).
    """
    root = f"{base_url.rstrip('/')}/release_{release}"
    checksums = f"{root}/MD5SUMS"
    return ReferencePreset(
        label=f"GENCODE release {release} GRCh38 primary assembly",
        fasta=RemoteFile(f"{root}/GRCh38.primary_assembly.genome.fa.gz", checksums, "md5"),
        gtf=RemoteFile(
            f"{root}/gencode.v{release}.primary_assembly.annotation.gtf.gz", checksums, "md5"
        ),
    )


_PRESETS = {"ensembl": ensembl_preset, "gencode": gencode_preset}


def preset_from_config(preset: Mapping[str, Any]) -> ReferencePreset:
    """Build the preset described by the config's ``reference.preset`` mapping.

    Parameters
    ----------
    preset
        ``{"source": "ensembl" | "gencode", "release": int}`` and optionally
        ``"base_url"`` (a mirror, or a local server in tests).

    Raises
    ------
    InputError
        If the source is unknown or the release is not a positive whole number.
    """
    source = preset.get("source")
    if source not in _PRESETS:
        raise InputError(
            f"config reference.preset.source is {source!r}; use 'ensembl' or 'gencode'."
        )
    release = preset.get("release")
    if isinstance(release, bool) or not isinstance(release, int) or release < 1:
        raise InputError(
            f"config reference.preset.release is {release!r}; give the {source} release "
            "as a whole number, e.g. 112 for Ensembl or 46 for GENCODE."
        )
    if "base_url" in preset:
        return _PRESETS[source](release, str(preset["base_url"]))
    return _PRESETS[source](release)


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


class BsdSum:
    """Running BSD 16-bit checksum, as printed by ``sum`` (GNU default, ``sum -r``).

    For every byte the 16-bit checksum is rotated right by one bit and the byte is
    added (modulo 2**16). ``hexdigest`` (named like :mod:`hashlib`'s for a common
    interface) returns ``"<checksum> <blocks>"`` with the size in 1024-byte blocks
    rounded up, the two numbers of Ensembl's ``CHECKSUMS`` lines, without padding.
    Pure Python (the recurrence is inherently serial): roughly 10 MB/s, so about
    1.5 minutes for the 0.9 GB GRCh38 FASTA, on top of the transfer.
    """

    def __init__(self) -> None:
        self._checksum = 0
        self._size = 0

    def update(self, data: bytes, /) -> None:
        """Add ``data`` to the checksum."""
        checksum = self._checksum
        for byte in data:
            checksum = (((checksum >> 1) | ((checksum & 1) << 15)) + byte) & 0xFFFF
        self._checksum = checksum
        self._size += len(data)

    def hexdigest(self) -> str:
        """Return the checksum and the size in 1024-byte blocks, e.g. ``"4096 1250"``."""
        return f"{self._checksum} {-(-self._size // 1024)}"


def _new_hasher(algorithm: Algorithm) -> _Hasher:
    if algorithm == "bsd_sum":
        return BsdSum()
    return hashlib.md5(usedforsecurity=False)


def parse_checksum_list(text: str, source: str, algorithm: Algorithm) -> dict[str, str]:
    """Map file names to checksums from a ``sum`` (Ensembl) or ``md5sum`` (GENCODE) list.

    Values are normalised as :class:`BsdSum` and :mod:`hashlib` print them
    (``"<checksum> <blocks>"`` without zero padding; lower-case hex MD5).

    Raises
    ------
    InputError
        If a line does not have the expected fields; ``source`` names the list.
    """
    checksums: dict[str, str] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if algorithm == "bsd_sum":
            if len(fields) != 3 or not (fields[0].isdigit() and fields[1].isdigit()):
                raise InputError(
                    f"{source}, line {line_number}: expected '<checksum> <blocks> <file name>' "
                    f"as written by `sum`, found {line!r}."
                )
            checksums[fields[2]] = f"{int(fields[0])} {int(fields[1])}"
        else:
            if len(fields) != 2:
                raise InputError(
                    f"{source}, line {line_number}: expected '<md5> <file name>' as written "
                    f"by `md5sum`, found {line!r}."
                )
            checksums[fields[1].lstrip("*")] = fields[0].lower()
    return checksums


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _open_url(url: str, timeout: float) -> Any:
    try:
        return urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()  # it holds the response; unclosed, its finalizer fails later
        raise InputError(
            f"Downloading {url} failed: HTTP {error.code} {error.reason}. Check the "
            "release and base_url in the config's reference.preset."
        ) from error
    except (OSError, http.client.HTTPException) as error:
        raise InputError(
            f"Downloading {url} failed: {_describe(error)}. Check the network connection. "
            f"{_RETRY_HINT}"
        ) from error


def fetch_checksum(remote: RemoteFile, timeout: float = 60.0) -> str:
    """Download ``remote``'s checksum list and return its entry for ``remote``.

    Raises
    ------
    InputError
        If the list cannot be downloaded or parsed, or has no entry for the file.
    """
    try:
        with _open_url(remote.checksums_url, timeout) as response:
            text = response.read().decode()
    except (OSError, http.client.HTTPException) as error:
        raise InputError(
            f"Downloading {remote.checksums_url} failed: {_describe(error)}. {_RETRY_HINT}"
        ) from error
    checksums = parse_checksum_list(text, remote.checksums_url, remote.algorithm)
    if remote.name not in checksums:
        raise InputError(
            f"{remote.checksums_url} lists no checksum for {remote.name}, so its download "
            "cannot be verified. Check the release in the config's reference.preset."
        )
    return checksums[remote.name]


def download(
    url: str,
    dest: str | Path,
    expected_checksum: str,
    algorithm: Algorithm,
    timeout: float = 60.0,
) -> None:
    """Download ``url`` to ``dest``, verified, via a temporary file renamed into place.

    Parameters
    ----------
    url
        ``http://`` or ``https://`` URL.
    dest
        Destination path; its directory is created if needed.
    expected_checksum
        Value as :func:`parse_checksum_list` normalises it.
    algorithm
        ``"bsd_sum"`` (Ensembl ``CHECKSUMS``) or ``"md5"`` (GENCODE ``MD5SUMS``).
    timeout
        Seconds to wait for the connection and for each read.

    Raises
    ------
    InputError
        On an HTTP or network error, a transfer shorter or longer than the announced
        Content-Length, or a checksum mismatch. No file is left at ``dest``.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        hasher = _new_hasher(algorithm)
        received = 0
        with os.fdopen(handle, "wb") as out, _open_url(url, timeout) as response:
            announced = response.headers.get("Content-Length")
            try:
                while chunk := response.read(_CHUNK_BYTES):
                    out.write(chunk)
                    hasher.update(chunk)
                    received += len(chunk)
            except (OSError, http.client.HTTPException) as error:
                raise InputError(
                    f"Downloading {url} failed after {received} bytes: {_describe(error)}. "
                    f"{_RETRY_HINT}"
                ) from error
        if announced is not None and received != int(announced):
            raise InputError(
                f"Downloading {url} failed: received {received} bytes but the server "
                f"announced {announced} (Content-Length); the transfer was cut short. "
                f"{_RETRY_HINT}"
            )
        actual = hasher.hexdigest()
        if actual != expected_checksum:
            raise InputError(
                f"Downloading {url} failed: its {algorithm} checksum is {actual!r} but the "
                f"server's checksum list says {expected_checksum!r}; the download is corrupt "
                f"or the file changed on the server. {_RETRY_HINT}"
            )
        Path(temporary).replace(dest)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def download_remote(remote: RemoteFile, dest: str | Path, timeout: float = 60.0) -> None:
    """Download one preset file to ``dest``, verified against its checksum list."""
    download(remote.url, dest, fetch_checksum(remote, timeout), remote.algorithm, timeout)


def download_reference(
    preset: Mapping[str, Any], fasta_dest: str | Path, gtf_dest: str | Path
) -> None:
    """Download the FASTA and GTF of the config's ``reference.preset``, verified.

    Raises
    ------
    InputError
        See :func:`preset_from_config`, :func:`fetch_checksum` and :func:`download`.
    """
    reference = preset_from_config(preset)
    download_remote(reference.fasta, fasta_dest)
    download_remote(reference.gtf, gtf_dest)
