"""`make bench`: cold start, the built artifact, round trips, memory, throughput, the 250-item
batch, multipart parsers and files of any size, measured in one run and printed side by side (a
benchmark, never a test)."""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST_ARCH = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
BUILD = ROOT / ".aws-sam" / "bench"
MiB = 1024 * 1024


def heading(text: str) -> None:
    print(f"\n## {text}\n", flush=True)


def table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def template():
    from folio.local.template import Template

    return Template(ROOT / "template.yaml")


def services_of(tpl, lid: str) -> list[str]:
    props = tpl.resources[lid]["Properties"]
    if "Role" in props:  # the change publisher, with a role of its own: its code calls EventBridge only
        return ["events"]
    statements = [s for policy in props["Policies"] if "Statement" in policy for s in policy["Statement"]]
    actions = {a.split(":")[0] for s in statements for a in s["Action"]}
    return sorted(actions & {"dynamodb", "s3"})


# ---------------------------------------------------------------- 1 and 2: the built artifact
def built_function(lid: str) -> Path:
    """A function's artifact: BUILD/<lid>, or BUILD/<Stack>/<lid> for the dialects' nested stacks."""
    return BUILD / lid if (BUILD / lid).is_dir() else next(BUILD.glob(f"*/{lid}"))


def sam_build() -> None:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "FOLIO_ARCH": HOST_ARCH,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run([str(Path(sys.executable).parent / "sam"), "build", "--build-dir", str(BUILD),
                    "--parameter-overrides", f"Architecture={HOST_ARCH}", "--template", str(ROOT / "template.yaml")],
                   check=True, env=env, cwd=ROOT, capture_output=True)


def cold_starts(tpl, runs: int, only: list[str] | None = None) -> None:
    heading(f"1. Cold start (fresh Python {sys.version.split()[0]} process, built artifact, median of {runs})")
    site = next(p for p in sys.path if p.endswith("site-packages"))
    layer = BUILD / "FolioLayer" / "python"
    child = ROOT / "bench" / "coldstart_child.py"

    def measure(mode, function_dir, services):
        out = []
        for _ in range(runs):
            result = subprocess.run([sys.executable, "-S", str(child), mode, str(function_dir), str(layer), site,
                                     ",".join(services)], capture_output=True, text=True, check=True,
                                    env={"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1"})
            out.append(json.loads(result.stdout))
        return out

    rows, baselines = [], {}
    for lid in sorted(only or tpl.functions):
        services = services_of(tpl, lid)
        key = ",".join(services)
        if key not in baselines:
            baselines[key] = statistics.median(r["total"] for r in measure("baseline", built_function(lid), services))
        results = measure("function", built_function(lid), services)
        init = statistics.median(r["init"] for r in results)
        total = statistics.median(r["total"] for r in results)
        base = baselines[key]
        rows.append([lid, f"{init * 1000:.0f} ms", f"{total * 1000:.0f} ms", f"{base * 1000:.0f} ms ({key})",
                     f"{total / base:.2f}x", "met" if total / base <= 1.25 else f"missed by {total / base - 1.25:.2f}x"])
    table(rows, ["function", "import (init)", "init + its clients", "baseline: boto3 + clients", "ratio", "target 1.25x"])


def snapstart_restores(tpl, runs: int, only: list[str] | None = None) -> None:
    """What SnapStart's priming buys a restored copy: the first request's client setup after the
    restore hook (its models were loaded before the snapshot), side by side with today's first
    request (no snapshot: the models load then) and a warm request, medians in one run."""
    heading(f"1b. SnapStart: the first request's client setup after a restore (median of {runs})")
    site = next(p for p in sys.path if p.endswith("site-packages"))
    layer = BUILD / "FolioLayer" / "python"
    child = ROOT / "bench" / "coldstart_child.py"
    rows = []
    for lid in sorted(only or tpl.functions):
        services = services_of(tpl, lid)
        figures: dict[str, list[dict]] = {"function": [], "restored": []}
        for _ in range(runs):  # interleaved: both modes meet the same machine
            for mode in figures:
                result = subprocess.run([sys.executable, "-S", str(child), mode, str(built_function(lid)), str(layer),
                                         site, ",".join(services)], capture_output=True, text=True, check=True,
                                        env={"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1"})
                figures[mode].append(json.loads(result.stdout))
        today = statistics.median(r["first"] for r in figures["function"])
        restored = statistics.median(r["first"] for r in figures["restored"])
        warm = statistics.median(r["warm"] for r in figures["function"])
        rows.append([lid, ",".join(services), f"{today * 1000:.1f} ms", f"{restored * 1000:.1f} ms",
                     f"{warm * 1000:.2f} ms", f"{today / restored:.1f}x" if restored else "-"])
    table(rows, ["function", "clients", "first request, no snapshot", "first request, restored", "warm",
                 "bought"])


def artifact(tpl) -> None:
    heading("2. The built artifact (sam build, no Docker)")
    rows = []
    for lid in sorted([*tpl.functions, "FolioLayer"]):
        base = built_function(lid)
        sources = list(base.rglob("*.py"))
        compiled = 0
        for src in sources:
            cache = src.parent / "__pycache__"
            if any(cache.glob(f"{src.stem}.cpython-313*.pyc")):
                compiled += 1
        size = sum(p.stat().st_size for p in base.rglob("*") if p.is_file())
        rows.append([lid, len(sources), f"{100 * compiled / max(1, len(sources)):.0f}%", f"{size / 1024:.0f} KiB",
                     "code only, < 1 MB" if lid != "FolioLayer" and size < 1_000_000 else
                     ("dependencies" if lid == "FolioLayer" else "OVER 1 MB")])
    table(rows, ["artifact", "modules", ".pyc for 3.13", "unzipped", "note"])


# ---------------------------------------------------------------- 3, 5, 6: in process on moto
class Recorder:
    def __init__(self):
        from folio.storage.clients import client
        from folio.storage.config import settings

        self.calls: list[str] = []
        self.on = False
        for service in ("dynamodb", "s3"):
            client(service, settings()).meta.events.register("before-call", self.record)

    def record(self, model, **kwargs):
        if self.on:
            self.calls.append(f"{model.service_model.service_name}:{model.name}")


def operations(api):
    """The common path of every operation: (name, request kwargs, minimum calls the design needs, why)."""
    from requests_toolbelt import MultipartEncoder

    from folio.dialects.kyc.samples import png

    def form(fields):
        encoder = MultipartEncoder(fields=fields)
        return {"body": encoder.to_string(), "headers": {"Content-Type": encoder.content_type}}

    claims = {"sub": "bench", "name": "Bench", "tenant": "bench", "scope": "documents:read documents:write",
              "folio:steps": "[*]"}
    crm = api.request("POST", "/api/v1/Document", json_body={"Header": "h"}, claims=claims).json["DocumentId"]
    kyc_form = lambda: form({"document": '{"type": "PASSPORT"}', "front": ("f.png", png(), "image/png"),
                             "back": ("b.png", png(3, 3), "image/png")})
    f = kyc_form()
    kyc = api.request("POST", "/api/customer/1/document", body=f["body"],
                      headers={**f["headers"], "X-Domain-ID": "1"}, claims=claims).json["id"]
    doc = api.request("POST", "/capture/api/v1.1/documents", json_body={"procedure": {"name": "Demo"}},
                      claims=claims).json["id"]
    f = form({"attachment": (None, "{}", "application/json"), "content": ("a.txt", b"a", "text/plain")})
    att = api.request("POST", f"/capture/api/v1.1/documents/{doc}/attachments", body=f["body"], headers=f["headers"],
                      claims=claims).json
    f = form({"file": ("a.txt", b"a", "text/plain")})
    dms = api.request("POST", "/api/v2/clients/1/dms/projects/1/documents", body=f["body"], headers=f["headers"],
                      claims=claims).json["id"]
    artu = api.request("PUT", "/documents/batch/external", headers={"X-Environment": "live"}, claims=claims,
                       json_body={"items": [{"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                                             "externalId": "b"}]}).json["data"][0]["data"]["id"]

    def capture_update():
        token = api.request("GET", f"/capture/api/v1.1/documents/{doc}/attachments/{att['id']}", claims=claims).json
        f = form({"attachment": (None, json.dumps({"title": "t", "stateToken": token["stateToken"]}), "application/json")})
        return {"method": "PUT", "path": f"/capture/api/v1.1/documents/{doc}/attachments/{att['id']}",
                "body": f["body"], "headers": {**f["headers"], "X-Requested-With": "XMLHttpRequest"}}

    dms_path = f"/api/v2/clients/1/dms/projects/1/documents/{dms}"
    return claims, [
        ("crm create", lambda: {"method": "POST", "path": "/api/v1/Document", "json_body": {"Header": "x"}}, 1,
         "head+history transaction (the id from a block: one counter ADD per 100 creates)"),
        ("crm get", lambda: {"method": "GET", "path": f"/api/v1/Document/{crm}"}, 1, "head"),
        ("crm patch", lambda: {"method": "PATCH", "path": f"/api/v1/Document/{crm}", "json_body": {"Header": str(time.time())}},
         2, "head; transaction"),
        ("kyc create", lambda: (lambda f: {"method": "POST", "path": "/api/customer/1/document", "body": f["body"],
                                           "headers": {**f["headers"], "X-Domain-ID": "1"}})(kyc_form()), 3,
         "2 S3 puts (concurrent); transaction (the id from a block)"),
        ("kyc update", lambda: (lambda f: {"method": "PUT", "path": f"/api/customer/1/document/{kyc}", "body": f["body"],
                                           "headers": {**f["headers"], "X-Domain-ID": "1"}})(kyc_form()), 4,
         "head; 2 S3 puts (concurrent); transaction"),
        ("kyc get", lambda: {"method": "GET", "path": f"/api/customer/1/document/{kyc}", "headers": {"X-Domain-ID": "1"}},
         1, "head"),
        ("kyc front image", lambda: {"method": "GET", "path": f"/api/customer/1/document/{kyc}/front",
                                     "headers": {"X-Domain-ID": "1"}}, 2, "head; S3 get of that version"),
        ("capture create document", lambda: {"method": "POST", "path": "/capture/api/v1.1/documents",
                                             "json_body": {"procedure": {"name": "Demo"}}}, 2,
         "procedures; transaction (the batch id from a block)"),
        ("capture get attachment", lambda: {"method": "GET", "path": f"/capture/api/v1.1/documents/{doc}/attachments/{att['id']}"},
         2, "document (step); attachment"),
        ("capture update attachment", capture_update, 3, "document (step); attachment; transaction"),
        ("dms upload version", lambda: (lambda f: {"method": "POST", "path": dms_path, "body": f["body"],
                                                   "headers": f["headers"]})(form({"file": ("v.txt", b"v", "text/plain")})),
         3, "head; S3 put; transaction"),
        ("dms versions", lambda: {"method": "GET", "path": f"{dms_path}/versions"}, 3,
         "head+count; marks query; versions batch get (whatever the history's length)"),
        ("dms version file", lambda: {"method": "GET", "path": f"{dms_path}/versions/1/file"}, 3,
         "head+count+mark; that version; S3 get"),
        ("artu batch (1 item)", lambda: {"method": "PUT", "path": "/documents/batch/external",
                                         "headers": {"X-Environment": "live"},
                                         "json_body": {"items": [{"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                                                                  "externalId": "b"}]}}, 2, "heads; transaction"),
        ("artu get", lambda: {"method": "GET", "path": f"/documents/{artu}", "headers": {"X-Environment": "live"}}, 2,
         "alias; head"),
    ]


def in_process(runs: int, only_batches: bool = False) -> None:
    from moto import mock_aws

    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_REGION": "us-east-1"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    tpl = template()
    for fn in tpl.functions.values():
        os.environ.update({k: str(v) for k, v in fn.environment.items()})
    with mock_aws():
        import boto3

        from folio.local.aws import create_resources
        from folio.local.fixtures import seed
        from folio.storage.clients import reset_clients
        from tests.conftest import InProcessApi

        reset_clients()
        create_resources(tpl, boto3.client("dynamodb"), boto3.client("s3"), secrets=boto3.client("secretsmanager"))
        seed()
        api = InProcessApi(tpl)
        recorder = Recorder()
        claims, ops = operations(api)

        heading("3. Round trips per operation (botocore calls on the common path)")
        rows = []
        for name, make, minimum, why in ([] if only_batches else ops):
            request = make()
            recorder.calls.clear()
            recorder.on = True
            answer = api.request(**request, claims=claims)
            recorder.on = False
            assert answer.status < 400, (name, answer.status, answer.body)
            calls = list(recorder.calls)
            rows.append([name, len(calls), minimum, "met" if len(calls) <= minimum else f"+{len(calls) - minimum}",
                         ", ".join(c.split(":")[1] for c in calls), why])
        table(rows, ["operation", "calls", "minimum", "target", "calls made", "the minimum the design needs"])

        heading(f"5. Throughput without network latency (in-process moto; {runs} requests per operation)")
        rows = []
        folio_dir = str(ROOT / "layers" / "folio" / "folio")
        functions_dir = str(ROOT / "functions")
        for name, make, _, _ in ([] if only_batches else ops):
            requests_ = [make() for _ in range(runs)]
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            for request in requests_:
                api.request(**request, claims=claims)
            profiler.disable()
            elapsed = time.perf_counter() - started
            stats = pstats.Stats(profiler)
            own = {"folio": 0.0, "moto": 0.0, "botocore/boto3": 0.0, "other": 0.0}
            for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
                if filename.startswith((folio_dir, functions_dir)):
                    own["folio"] += tottime
                elif "/moto/" in filename:
                    own["moto"] += tottime
                elif "/botocore/" in filename or "/boto3/" in filename or "/s3transfer/" in filename:
                    own["botocore/boto3"] += tottime
                else:
                    own["other"] += tottime
            total = sum(own.values()) or 1
            share = own["folio"] / total
            rows.append([name, f"{runs / elapsed:.0f}/s", f"{100 * share:.1f}%", f"{100 * own['moto'] / total:.0f}%",
                         f"{100 * own['botocore/boto3'] / total:.0f}%", f"{100 * own['other'] / total:.0f}%",
                         "met" if share < 0.20 else "missed"])
        table(rows, ["operation", "req/s", "folio's CPU share", "moto", "botocore/boto3",
                     "other (pydantic, powertools, stdlib ...)", "folio < 20%"])

        heading("6. Atomic batches: DynamoDB calls and time")
        rows = []
        for label, n, atomic in (("33 items, atomic (the largest that fits one transaction)", 33, True),
                                 ("100 items, atomic", 100, True), ("250 items, atomic", 250, True),
                                 ("250 items, item by item", 250, False)):
            body = {"atomic": atomic, "items": [{"clientId": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
                                                 "externalId": f"{label[:3].strip()}-{atomic}-{i}"} for i in range(n)]}
            recorder.calls.clear()
            recorder.on = True
            started = time.perf_counter()
            answer = api.request("PUT", "/documents/batch/external", headers={"X-Environment": "test"},
                                 json_body=body, claims=claims)
            elapsed = time.perf_counter() - started
            recorder.on = False
            assert answer.status == 200, answer.body
            kinds: dict[str, int] = {}
            for c in recorder.calls:
                kinds[c.split(":")[1]] = kinds.get(c.split(":")[1], 0) + 1
            rows.append([label, len(recorder.calls), ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())),
                         f"{elapsed:.2f} s"])
        table(rows, ["batch (creates)", "DynamoDB calls", "which", "time on in-process moto"])


# ---------------------------------------------------------------- 4: memory
MEMORY_CHILD = r"""
import gc, json, os, sys
sys.path.insert(0, sys.argv[2])
os.environ.update({"AWS_ACCESS_KEY_ID": "m", "AWS_SECRET_ACCESS_KEY": "m", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_ENDPOINT_URL": sys.argv[3]})
from pathlib import Path
import boto3
from requests_toolbelt import MultipartEncoder
from folio.local.aws import create_resources
from folio.local.template import Template
from folio.dialects.kyc.samples import png
from tests.conftest import InProcessApi

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

size = int(sys.argv[1])
tpl = Template(Path(sys.argv[2]) / "template.yaml")
for fn in tpl.functions.values():
    os.environ.update({k: str(v) for k, v in fn.environment.items()})
create_resources(tpl, boto3.client("dynamodb"), boto3.client("s3"), secrets=boto3.client("secretsmanager"))
api = InProcessApi(tpl)
small = MultipartEncoder(fields={"document": '{"type": "PASSPORT"}', "front": ("f.png", png(), "image/png")})
api.request("POST", "/api/customer/1/document", body=small.to_string(),
            headers={"Content-Type": small.content_type, "X-Domain-ID": "1"})  # warm: imports, clients
enc = MultipartEncoder(fields={"document": '{"type": "PASSPORT"}',
                               "front": ("f.png", png() + bytes(size - len(png())), "image/png")})
body, ctype = enc.to_string(), enc.content_type
fid, event = api.event("POST", "/api/customer/1/document", body=body, headers={"Content-Type": ctype, "X-Domain-ID": "1"})
del body, enc
gc.collect()
open("/proc/self/clear_refs", "w").write("5")  # the peak starts again from the current RSS
before = hwm()
answer = api.invoke_event(fid, event)
after = hwm()
assert answer.status == 201, answer.body
print(json.dumps({"before_kib": before, "after_kib": after}))
"""


def memory() -> None:
    heading("4. Memory: peak RSS of kyc create handling its largest file (4 MiB) vs a tiny one")
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        rows = []
        for label, size in (("tiny (200 B)", 200), ("4 MiB", 4 * MiB)):
            subprocess.run(["curl", "-s", "-X", "POST", f"http://127.0.0.1:{port}/moto-api/reset"], check=False,
                           capture_output=True)
            out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(size), str(ROOT), f"http://127.0.0.1:{port}"],
                                 capture_output=True, text=True, check=True, cwd=ROOT)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            growth = (r["after_kib"] - r["before_kib"]) * 1024
            ratio = growth / size
            rows.append([label, f"{r['before_kib'] / 1024:.0f} MiB", f"{r['after_kib'] / 1024:.0f} MiB",
                         f"{growth / MiB:.1f} MiB", f"{ratio:.1f}x" if size > 1000 else "-",
                         ("met" if ratio < 3 else f"missed by {ratio - 3:.1f}x") if size > 1000 else "-"])
    finally:
        server.terminate()
        server.wait(10)
    table(rows, ["request", "RSS before", "peak RSS while handling", "growth", "growth / payload", "target < 3x"])
    print("\n(AWS runs in another process, as it does for a Lambda; the event, with its 5.6 MB base64 body, is "
          "built before the measurement, as Lambda hands it in)")


# ---------------------------------------------------------------- 7: multipart parsers
PARSER_CHILD = r"""
import gc, json, sys, time, tracemalloc
which, size, MAX_PARTS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
B = "----bench7MA4YWxkTrZu0gW"
CTYPE = f"multipart/form-data; boundary={B}"
started = time.perf_counter()
if which == "requests-toolbelt":
    from requests_toolbelt.multipart.decoder import MultipartDecoder

    def parse(body):  # as folio used it: decode every part, then count them
        parts = MultipartDecoder(body, CTYPE).parts
        if len(parts) > MAX_PARTS:
            raise ValueError("too many parts")
        return [p.content for p in parts]
elif which == "python-multipart":
    from python_multipart.multipart import MultipartParser

    def parse(body):  # a part count in the callbacks; the data of a part is one slice here
        parts = []
        def begin():
            if len(parts) == MAX_PARTS:
                raise ValueError("too many parts")
            parts.append([])
        p = MultipartParser(B, {"on_part_begin": begin, "on_part_data": lambda d, s, e: parts[-1].append(d[s:e])})
        p.write(body)
        p.finalize()
        return [c[0] if len(c) == 1 else b"".join(c) for c in parts]
elif which == "multipart":
    from multipart import PushMultipartParser, MultipartSegment

    def parse(body):  # the parser's own limit
        parts = []
        with PushMultipartParser(B, max_segment_count=MAX_PARTS) as p:
            for event in p.parse(body):
                if isinstance(event, MultipartSegment):
                    parts.append([])
                elif event is not None:
                    parts[-1].append(event)
        return [c[0] if len(c) == 1 else b"".join(c) for c in parts]
else:
    from folio.web.multipart import parse_form_data

    def parse(body):
        return parse_form_data(CTYPE, body).parts
imported = time.perf_counter() - started
head = lambda name, extra="": (f'--{B}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n').encode()
upload = (head("document") + b'Content-Type: application/json\r\n\r\n{"type": "PASSPORT"}\r\n'
          + head("front", '; filename="f.png"') + b"Content-Type: image/png\r\n\r\n" + bytes(size)
          + f"\r\n--{B}--\r\n".encode())
hostile = (head("p") + b"\r\n\r\n") * 300_000 + f"--{B}--\r\n".encode()
parse(upload[:400] + upload[-200:])  # warm
gc.collect()
tracemalloc.start()
cpu = time.process_time()
parts = parse(upload)
upload_cpu = time.process_time() - cpu
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
assert any(len(p if isinstance(p, bytes) else p.data) == size for p in parts)
del parts
cpu = time.process_time()
try:
    parse(hostile)
    refused = False
except Exception:
    refused = True
print(json.dumps({"import": imported, "cpu": upload_cpu, "peak": peak, "hostile": time.process_time() - cpu,
                  "refused": refused, "hostile_bytes": len(hostile)}))
"""


def multipart_parsers() -> None:
    heading("7. Multipart parsers: import, a 4 MiB kyc-like upload, a body of 300,000 parts")
    from folio.web.multipart import MAX_PARTS

    size = 4 * MiB
    candidates = BUILD.parent / "bench-parsers"
    rows = []
    for which in ("requests-toolbelt", "python-multipart", "multipart", "folio.web.multipart (multipart + checks)"):
        path = [str(ROOT), str(ROOT / "layers" / "folio")]
        if which == "python-multipart":  # not a dependency: its `multipart` shim would shadow defnull's
            target = candidates / "python-multipart"
            if not (target / "python_multipart").exists():
                subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target),
                                "python-multipart>=0.0.20,<0.1"], check=True)
            path.insert(0, str(target))
        runs = []
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", PARSER_CHILD, which.split(" ")[0], str(size), str(MAX_PARTS)], check=True,
                                 capture_output=True, text=True, cwd=ROOT,
                                 env={**os.environ, "PYTHONPATH": os.pathsep.join(path)})
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        med = {k: statistics.median(r[k] for r in runs) for k in ("import", "cpu", "peak", "hostile")}
        ratio = med["peak"] / size
        rows.append([which, f"{med['import'] * 1000:.0f} ms", f"{med['cpu'] * 1000:.1f} ms",
                     f"{med['peak'] / MiB:.1f} MiB ({ratio:.2f}x)", "met" if ratio <= 1.5 else "missed",
                     f"{med['hostile'] * 1000:.1f} ms" + ("" if runs[0]["refused"] else " (accepted!)")])
    table(rows, ["parser", "import (fresh process)", "CPU, 4 MiB upload", "peak growth (x payload)",
                 "target 1.5x", f"CPU to refuse 300,000 parts ({runs[0]['hostile_bytes'] / 1e6:.1f} MB)"])
    print("\n(median of 3 fresh processes; peak growth is tracemalloc's peak while parsing, the body being held already)")


# ---------------------------------------------------------------- 8: files of any size
#: The files of section 8, each generated at run time, never committed.
UPLOAD_SIZES = (("5 MiB", 5 * MiB), ("100 MiB", 100 * MiB), ("1 GiB", 1024 * MiB))
_ACCESS_LINE = re.compile(r'"(GET|POST|PUT|DELETE|PATCH) (/\S*) HTTP/[\d.]+\S*" (\d{3})')


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # the peak starts again from the current RSS


class _Phase:
    """What one phase cost the functions' process: its invocations (the gateway's access log lines,
    each a route it ran a function for) and its peak RSS growth."""

    def __init__(self, server, tpl):
        self.server, self.tpl = server, tpl

    def __enter__(self):
        time.sleep(0.2)
        self.seen = len(self.server.output)
        _reset_peak(self.server.proc.pid)
        self.before = _peak_kib(self.server.proc.pid)
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.growth = (_peak_kib(self.server.proc.pid) - self.before) * 1024
        time.sleep(0.3)  # the gateway logs a request as it answers; the drain thread reads it
        self.functions: dict[str, int] = {}
        for line in self.server.output[self.seen:]:
            m = _ACCESS_LINE.search(re.sub(r"\x1b\[[0-9;]*m", "", line))  # werkzeug colours a tty's lines
            if m:
                route = next(r for r in self.tpl.routes if r.method == m[1] and r.pattern.match(m[2].split("?")[0]))
                name = route.function_id.removesuffix("Function")
                self.functions[name] = self.functions.get(name, 0) + 1

    def invocations(self) -> str:
        return f"{sum(self.functions.values())} ({', '.join(f'{n} {k}' for k, n in self.functions.items())})"


def _random_file(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        for offset in range(0, size, 8 * MiB):
            f.write(os.urandom(min(8 * MiB, size - offset)))
    return path


def uploads() -> None:
    heading("8. Files of any size: upload sessions and downloads through the redirect (folio local, dms)")
    import filecmp
    import tempfile

    from examples import large_upload
    from tests.conftest import LocalServer

    tpl = template()
    with tempfile.TemporaryDirectory(prefix="folio-bench-") as tmp:
        tmp = Path(tmp)
        # S3 in a process of its own, as on AWS: the functions' process then holds only what they hold
        (tmp / "aws").mkdir()
        (tmp / "functions").mkdir()
        aws = LocalServer(tmp / "aws")
        functions = None
        try:
            functions = LocalServer(tmp / "functions", "--aws-endpoint", aws.s3_endpoint)
            token = functions.token()
            route = large_upload.dms_route(client=1, project=1)
            warm = _random_file(tmp / "warm.bin", 5 * MiB)  # imports and clients first, not counted
            large_upload.run(functions.url, token, warm, route, content_type="application/octet-stream")
            warm.unlink()
            rows = []
            for label, size in UPLOAD_SIZES:
                source = _random_file(tmp / f"file-{label.replace(' ', '')}.bin", size)
                checksum_started = time.perf_counter()
                part_size = large_upload.part_size_for(size)
                large_upload.checksums_of(source, part_size)
                checksum_seconds = time.perf_counter() - checksum_started
                with _Phase(functions, tpl) as up:
                    upload_url, upload, whole = large_upload.start(functions.url, token, source, route,
                                                                   "application/octet-stream")
                    done = large_upload.complete(token, upload_url, large_upload.upload_parts(source, upload),
                                                 whole, route)
                copy = tmp / "downloaded.bin"
                with _Phase(functions, tpl) as down:
                    got, got_size, answer = large_upload.download(functions.url, token, route.download(done),
                                                                  target=copy)
                redirect = answer.history[0] if answer.history else answer
                through = len(redirect.content)
                head = sum(len(k) + len(v) + 4 for k, v in redirect.headers.items())
                identical = got == whole and got_size == size and filecmp.cmp(source, copy, shallow=False)
                source.unlink()
                copy.unlink()
                rows.append([label, f"{upload['partCount']} x {upload['partSize'] // MiB} MiB",
                             f"{checksum_seconds:.1f} s",
                             f"{up.seconds:.1f} s ({size / MiB / up.seconds:.0f} MiB/s)", up.invocations(),
                             f"{up.growth / MiB:.1f} MiB",
                             f"{down.seconds:.1f} s ({size / MiB / down.seconds:.0f} MiB/s)",
                             f"{redirect.status_code}: {through} B body, {head} B headers", down.invocations(),
                             f"{down.growth / MiB:.1f} MiB",
                             "yes" if identical else "NO"])
            aws_peak = _peak_kib(aws.proc.pid) / 1024
        finally:
            if functions is not None:
                functions.stop()
            aws.stop()
    table(rows, ["file", "parts", "client's CRC64NVMEs (part of the upload)", f"upload (start, parts {large_upload.PARALLEL_PARTS} at a time, complete)",
                 "function invocations", "functions' peak RSS growth", "download (302, then S3)",
                 "through a function", "invocations", "peak RSS growth", "byte-identical, CRC64NVME matching"])
    print(f"\n(two `folio local` processes: the functions and their gateway in one, whose peak RSS (VmHWM, reset "
          f"before each phase) is measured, and the embedded S3 in the other, as on AWS (its peak: {aws_peak:.0f} "
          "MiB, moto holding every object in memory); a 5 MiB file first warms the functions; the client "
          "is examples/large_upload.py, parts read from disk as they are sent)")


#: What issue 25 measured on the layout before DESIGN §12, per key class: the most writes one key took
#: (per document a tenant imports, or the share of all tenants' work), and the ceiling it implied.
HEAT_BEFORE = {
    "idempotency record": ("2.0 per crm create (one partition per function, all tenants)",
                           "~200-500 keyed writes/s per operation, all tenants together"),
    "id counter": ("1.0 per create", "~1,000 creates/s per tenant and kind"),
    "ByCollection list shard": ("1.0 per document of one collection", "~500 creates/s into one collection"),
    "ByCollectionKeys list shard": ("(the keys-only index that replaces ByCollection)", ""),
    "batch intents": ("1.0 of all tenants' batches", "under ~10 large batches/s for the whole service"),
    "purges": ("1.0 of all tenants' deletes", "~200 deletes/s for the whole service"),
    "document partition": ("one document's own writes", "one document's"),
}


def partition_heat() -> None:
    heading("9. The hottest partition keys (DESIGN §12): writes per key under real workloads (folio local on "
            "DynamoDB Local, every write's partition key recorded)")
    import tempfile

    from folio.local.dynamodb_local import DynamoDBLocal, NotInstalled
    from tests.conftest import LocalServer
    from tests.support.partition_heat import one_tenant_imports, shared_work
    from tests.support.partition_writes import PartitionWrites

    try:
        engine = DynamoDBLocal()
    except NotInstalled as e:
        print(f"(skipped: {e})")
        return
    engine.start()
    proxy = PartitionWrites(engine.endpoint_url, template())
    try:
        with tempfile.TemporaryDirectory(prefix="folio-bench-heat-") as tmp:
            server = LocalServer(Path(tmp), "--dynamodb-endpoint", proxy.url)
            try:
                heats = one_tenant_imports(server, proxy, documents=500, batches=30)
                shared = shared_work(server, proxy, tenants=4, batches=12, deletes=12)
            finally:
                server.stop()
    finally:
        proxy.stop()
        engine.stop()
    rows = [[h.workload, h.documents, f"{h.per_document:.3f}", h.hottest[0][:70]] for h in heats]
    table(rows, ["one tenant importing", "documents", "hottest key: writes per document (target <= 0.1)",
                 "that key"])
    print()
    classes: dict[str, tuple[float, str]] = {}
    for heat in heats:
        for name, (count, key) in heat.classes.items():
            per = count / heat.documents
            if name not in classes or per > classes[name][0]:
                classes[name] = (per, f"{heat.workload}: {key[:60]}")
    rows = []
    for name, (per, where) in sorted(classes.items(), key=lambda item: -item[1][0]):
        before, ceiling = HEAT_BEFORE.get(name, ("", ""))
        after_ceiling = f"~{int(1000 / per):,} documents/s per tenant" if per else ""
        rows.append([name, before, f"{per:.3f} per document", after_ceiling, ceiling, where])
    table(rows, ["key class", "before (issue 25)", "now: the most on one key", "ceiling now (1,000 WCU/s a key)",
                 "ceiling before", "where"])
    print()
    rows = []
    for kind in shared.operations:
        for label, widest, only in (("any key", shared.widest, False), ("keys tenants share", shared.widest_shared, True)):
            count, key = widest.get(kind, (0, ""))
            rows.append([kind, label, shared.operations[kind], count, f"{shared.share(kind, only):.2f}", key[:80]])
    table(rows, ["four tenants' work", "over", "operations", "most of them on one key", "share (target <= 0.25)",
                 "that key"])
    print("\n(writes are counted per request item, not in write units: an item of n KB costs n units, so a "
          "250-item batch intent of ~30 KB costs ~30 on its shard)")


# ---------------------------------------------------------------- 10: room to grow (issue 26)
def stack_figures() -> None:
    """The stacks' resources after the SAM transform and the templates' lengths (tests/infra bounds them)."""
    from folio.local.stack import figures

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    found = figures(ROOT)
    total = sum(found["resources"].values())
    print("\n## 10. Room to grow: resources after the SAM transform, template lines\n")
    table([[name, str(n)] for name, n in found["resources"].items()], ["stack", "resources"])
    print(f"\n{total} resources for {found['functions']} functions ({total / found['functions']:.2f} each; "
          f"largest stack {max(found['resources'].values())} of CloudFormation's 500); template lines "
          f"{found['template_lines']} (route table {found['lines'].get('routes.yaml', 0)})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=int(os.environ.get("FOLIO_BENCH_RUNS", "15")))
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--only-batches", action="store_true", help="section 6 alone")
    parser.add_argument("--only-multipart", action="store_true", help="section 7 alone")
    parser.add_argument("--only-uploads", action="store_true", help="section 8 alone")
    parser.add_argument("--only-heat", action="store_true", help="section 9 alone")
    parser.add_argument("--only-stacks", action="store_true", help="section 10 alone")
    parser.add_argument("--only-coldstart", nargs="*", metavar="FUNCTION",
                        help="sections 1 and 2 alone (cold start of the functions named, or of all)")
    args = parser.parse_args()
    if args.only_coldstart is not None:
        tpl = template()
        if not args.skip_build:
            sam_build()
        cold_starts(tpl, args.runs, args.only_coldstart or None)
        snapstart_restores(tpl, args.runs, args.only_coldstart or None)
        artifact(tpl)
        return 0
    if args.only_batches:
        in_process(1, only_batches=True)
        return 0
    if args.only_multipart:
        multipart_parsers()
        return 0
    if args.only_uploads:
        uploads()
        return 0
    if args.only_heat:
        partition_heat()
        return 0
    if args.only_stacks:
        stack_figures()
        return 0
    tpl = template()
    print(f"# folio bench ({platform.machine()}, Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d')})")
    if not args.skip_build:
        sam_build()
    cold_starts(tpl, args.runs)
    snapstart_restores(tpl, args.runs)
    artifact(tpl)
    in_process(max(10, args.runs * 2))
    memory()
    multipart_parsers()
    uploads()
    partition_heat()
    stack_figures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
