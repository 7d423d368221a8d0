"""What a release's server-side copies cost on SeaweedFS: N CopyObject calls (with the headers
a release's copy sets) through the publish's own S3 client, at several concurrencies, beside
N PUTs of the same objects, with the client's CPU. Without `--latency-ms` the client talks to
SeaweedFS directly (no proxy in the process), so the wall time is the server's plus our CPU.

Run: `python benchmarks/copy_bench.py [--objects 300] [--size 6000] [--threads 16,32,96]
[--latency-ms 0] [--repeat 3]`. Loopback only; SeaweedFS is stopped after the run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from proxy import DelayProxy  # noqa: E402
from servers import SeaweedFS  # noqa: E402

BUCKET = "bench-copies"
KEY, SECRET = "AKIDCOPYBENCH", "copy-bench-secret"


def timed(calls: int, threads: int, call: Callable[[int], object]) -> tuple[float, float]:
    """(wall s, CPU s of this process) of ``calls`` calls on ``threads`` threads."""
    wall, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(call, range(calls)))
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=300)
    parser.add_argument("--size", type=int, default=6000, help="bytes per object")
    parser.add_argument("--threads", default="16,32,96")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]  # the environment names our SeaweedFS, nothing else
    with tempfile.TemporaryDirectory(prefix="copy-bench-") as tmp, contextlib.ExitStack() as stack:
        server = stack.enter_context(SeaweedFS(Path(tmp), KEY, SECRET))
        endpoint = server.endpoint
        if args.latency_ms:
            proxy = DelayProxy(server.s3_port, args.latency_ms, "s3").start()
            stack.callback(proxy.stop)
            endpoint = proxy.endpoint
        os.environ.update(
            AWS_ACCESS_KEY_ID=KEY,
            AWS_SECRET_ACCESS_KEY=SECRET,
            AWS_REGION="us-east-1",
            AWS_ENDPOINT_URL_S3=endpoint,
        )
        from amplify_tasks import aws
        from amplify_tasks.s3wire import env_wire_client, from_environ

        access = from_environ()
        widest = max(map(int, args.threads.split(",")))
        s3 = env_wire_client(access, lambda: aws.client("s3"), max_pool=widest) if access else None
        if s3 is None:
            raise SystemExit("the wire client does not reach SeaweedFS: see s3wire.environ")
        s3.create_bucket(Bucket=BUCKET)
        body = os.urandom(args.size // 2).hex().encode()[: args.size]
        print(
            f"SeaweedFS, {args.objects} objects of {args.size} bytes, +{args.latency_ms:g} ms "
            f"per request; median of {args.repeat}: wall s (client CPU s)"
        )
        run = 0
        for threads in map(int, args.threads.split(",")):
            rows: dict[str, list[tuple[float, float]]] = {"PutObject": [], "CopyObject": []}
            for _ in range(args.repeat):
                run += 1
                prefix = f"r{run}"

                def put(i: int, prefix: str = prefix) -> object:
                    return s3.put_object(
                        Bucket=BUCKET,
                        Key=f"{prefix}/src/{i}.html",
                        Body=body,
                        ContentType="text/html",
                        CacheControl="no-cache",
                    )

                def copy(i: int, prefix: str = prefix) -> object:
                    return s3.copy_object(
                        Bucket=BUCKET,
                        Key=f"{prefix}/dst/{i}.html",
                        CopySource={"Bucket": BUCKET, "Key": f"{prefix}/src/{i}.html"},
                        MetadataDirective="REPLACE",
                        ContentType="text/html",
                        CacheControl="no-cache",
                    )

                rows["PutObject"].append(timed(args.objects, threads, put))
                rows["CopyObject"].append(timed(args.objects, threads, copy))
            for name, figures in rows.items():
                wall, cpu = sorted(figures)[len(figures) // 2]
                print(f"  {name:10s} {threads:3d} threads: {wall:.3f} ({cpu:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
