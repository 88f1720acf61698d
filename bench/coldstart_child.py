"""Run in a fresh interpreter: time one function's initialisation, or the boto3 baseline.

argv: mode ("function" or "baseline"), function dir, layer dir, site-packages, services (comma list).
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
start = time.perf_counter()
if mode == "function":
    import app  # noqa: F401 - the function's initialisation, as Lambda runs it before the first request

    init = time.perf_counter() - start
    from folio.storage.clients import client
    from folio.storage.config import settings

    for service in filter(None, services.split(",")):
        client(service, settings())  # what the first request adds
else:
    import boto3

    init = None
    session = boto3.session.Session()
    for service in filter(None, services.split(",")):
        session.client(service, region_name="us-east-1")
print(json.dumps({"init": init, "total": time.perf_counter() - start}))
