"""Downloading data sets safely: official URLs, MD5 checks, a progress bar, atomic writes.

A download can go wrong in three ways, and each has its guard here:

- *it stops halfway* (network drop, Ctrl-C): bytes go to a hidden temporary
  file ``.name.XXXX.part`` in the target folder, which is renamed to ``name``
  only when complete and verified (``os.replace`` is atomic), so a file named
  ``name`` is never half-written;
- *it brings the wrong bytes* (a changed or broken server): every file has the
  official MD5 checksum; a file that doesn't match is discarded, never used;
- *there is no network*: the next mirror is tried, and when all fail the error
  says exactly which files to copy where, or how to use the bundled sample.

Only :func:`_open_url` touches the network (the tests replace it).
"""

import hashlib
import os
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request

USER_AGENT = "edunet"
CHUNK_SIZE = 64 * 1024


# ------------------------------------------------------------------ checksums
def calculate_md5(path, chunk_size=1024 * 1024):
    """The MD5 checksum of a file, as 32 hex digits (read in chunks: files can be large)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_md5(path, md5):
    return calculate_md5(path) == md5


def check_integrity(path, md5=None):
    """True if ``path`` is a file and (when ``md5`` is given) has that checksum."""
    if not os.path.isfile(path):
        return False
    return md5 is None or check_md5(path, md5)


# ------------------------------------------------------------------ progress bar
class TextProgressBar:
    """A one-line progress bar on stderr, used when tqdm isn't installed."""

    def __init__(self, total, description, stream=None):
        self.total, self.description = total, description
        self.stream = stream or sys.stderr
        self.done = 0
        self._shown = -1

    def update(self, size):
        self.done += size
        megabytes = f"{self.done / 1e6:.1f} MB"
        if self.total:
            percent = min(100, 100 * self.done // self.total)
            if percent == self._shown:
                return  # redraw only when the percentage changes
            self._shown = percent
            line = f"{self.description}: {percent:3d}% ({megabytes} of {self.total / 1e6:.1f} MB)"
        else:
            line = f"{self.description}: {megabytes}"
        self.stream.write("\r" + line)
        self.stream.flush()

    def close(self):
        self.stream.write("\n")
        self.stream.flush()


def progress_bar(total, description):
    """tqdm's bar (a widget in Jupyter) when tqdm is installed, else a plain text one."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return TextProgressBar(total, description)
    return tqdm(total=total, desc=description, unit="B", unit_scale=True, unit_divisor=1024)


# ------------------------------------------------------------------ downloading
def _open_url(url, timeout=30):
    """Start an HTTP(S) request; returns a response to ``.read()`` from."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    return urllib.request.urlopen(request, timeout=timeout)


def _download_to(url, path, md5=None):
    """Stream ``url`` into ``path``: via a temporary file, verified, then renamed into place."""
    folder, filename = os.path.split(path)
    os.makedirs(folder or ".", exist_ok=True)
    response = _open_url(url)
    length = response.headers.get("Content-Length")
    bar = progress_bar(int(length) if length else None, f"Downloading {filename}")
    handle, temporary_path = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with os.fdopen(handle, "wb") as file:
            for chunk in iter(lambda: response.read(CHUNK_SIZE), b""):
                file.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
        if md5 is not None and digest.hexdigest() != md5:
            raise RuntimeError(f"the file's MD5 is {digest.hexdigest()}, not the official {md5}; "
                               f"it was discarded.")
        os.replace(temporary_path, path)  # atomic: `path` appears complete, or not at all
    except BaseException:  # Ctrl-C too: never leave the partial file behind
        os.remove(temporary_path)
        raise
    finally:
        bar.close()
        response.close()
    return path


def _is_network_failure(error):
    """No connection at all (as opposed to a server answering with an error or bad bytes)."""
    if isinstance(error, urllib.error.HTTPError):
        return False
    return isinstance(error, (urllib.error.URLError, TimeoutError, ConnectionError))


def _download_first_that_works(urls, path, md5=None, offline_advice=""):
    """Download to ``path`` from the first of ``urls`` that gives the right bytes.

    A verified file already at ``path`` is kept and nothing is downloaded; one
    whose MD5 is wrong is replaced by a fresh, verified download. When every
    URL fails, the RuntimeError lists what each one said, then ``offline_advice``.
    """
    if check_integrity(path, md5):
        return path
    failures = []
    for url in urls:
        try:
            return _download_to(url, path, md5)
        except (OSError, RuntimeError) as error:  # URLError, timeouts, HTTP errors are OSErrors
            failures.append((url, error))
    lines = [f"Could not download {os.path.basename(path)}. Tried:"]
    lines += [f"  {url}: {error}" for url, error in failures]
    if all(_is_network_failure(error) for _, error in failures):
        lines.append("You seem to be offline, or these servers are unreachable.")
    if offline_advice:
        lines.append(offline_advice)
    raise RuntimeError("\n".join(lines)) from failures[-1][1]


def download_url(url, root, filename=None, md5=None):
    """Download ``url`` into folder ``root`` unless a verified copy is already there."""
    path = os.path.join(root, filename or os.path.basename(url))
    return _download_first_that_works([url], path, md5)


def download_from_mirrors(filename, mirrors, folder, md5=None, offline_advice=""):
    """Fetch ``filename`` into ``folder`` from the first mirror (a URL ending in /) that works."""
    urls = [mirror + filename for mirror in mirrors]
    return _download_first_that_works(urls, os.path.join(folder, filename), md5, offline_advice)


# ------------------------------------------------------------------ archives
def _safe_members(archive, destination):
    """The archive's members, refusing any that would land outside ``destination``."""
    destination = os.path.realpath(destination)
    for member in archive.getmembers():
        target = os.path.realpath(os.path.join(destination, member.name))
        if os.path.commonpath([destination, target]) != destination or not (member.isfile() or
                                                                            member.isdir()):
            raise RuntimeError(f"refusing to extract {member.name!r}: it is not a plain file or "
                               f"folder inside {destination}")
        yield member


def extract_archive(from_path, to_path=None):
    """Unpack a .tar, .tar.gz or .tgz archive into ``to_path`` (default: its own folder)."""
    to_path = to_path or os.path.dirname(from_path)
    with tarfile.open(from_path, "r:*") as archive:
        members = list(_safe_members(archive, to_path))
        if hasattr(tarfile, "data_filter"):  # Python 3.12, 3.11.4+, 3.10.12+
            archive.extractall(to_path, members=members, filter="data")
        else:
            archive.extractall(to_path, members=members)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False, offline_advice=""):
    """Download an archive, check its ``md5`` (before anything is extracted), then unpack it."""
    archive = os.path.join(download_root, filename or os.path.basename(url))
    _download_first_that_works([url], archive, md5, offline_advice)
    extract_archive(archive, extract_root or download_root)
    if remove_finished:
        os.remove(archive)
