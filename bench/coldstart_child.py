"""Run in a fresh interpreter: time one function's initialisation, or the boto3 baseline.

argv: mode ("function", "restored" or "baseline"), function dir, layer dir, site-packages, services
(comma list). "restored": init as SnapStart runs it (priming), then the after-restore hook, as a
copy restored from the snapshot starts; ``first`` is then the first request's client setup, which
"function" also reports (today's first request without a snapshot) and ``warm`` a later request's.
Prints seconds as JSON. Lambda puts the function code first, then the layer, then the runtime's
own packages (where boto3 lives), so does this.
"""

import json
import os
import sys
import time

mode, function_dir, layer_dir, site_packages, services = sys.argv[1:6]
sys.path[:0] = [function_dir, layer_dir]
sys.path.append(site_packages)
os.environ.update({"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                   "TABLE_NAME": "t", "BUCKET_NAME": "b", "POWERTOOLS_SERVICE_NAME": "folio"})
if mode == "restored":
    os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
start = time.perf_counter()
if mode in ("function", "restored"):
    import app  # noqa: F401 - the function's initialisation, as Lambda runs it before the first request

    init = time.perf_counter() - start
    from folio.storage.clients import client
    from folio.storage.config import settings

    if mode == "restored":
        from folio.web.resolver import _after_snapshot_restore

        _after_snapshot_restore()  # what a restored copy runs before its first request
    first_started = time.perf_counter()
    for service in filter(None, services.split(",")):
        client(service, settings())  # what the first request adds
    first = time.perf_counter() - first_started
    warm_started = time.perf_counter()
    for service in filter(None, services.split(",")):
        client(service, settings())
    print(json.dumps({"init": init, "total": time.perf_counter() - start, "first": first,
                      "warm": time.perf_counter() - warm_started}))
    sys.exit(0)
else:
    import boto3

    init = None
    session = boto3.session.Session()
    for service in filter(None, services.split(",")):
        session.client(service, region_name="us-east-1")
print(json.dumps({"init": init, "total": time.perf_counter() - start}))
