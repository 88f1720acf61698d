"""folio local's concurrent invocations keep their per-invocation state apart (folio.local.isolation)."""

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import threading
    from aws_lambda_powertools import Metrics
    from aws_lambda_powertools.metrics import MetricUnit
    from folio.core import service as core
    from folio.local.isolation import isolate_invocations

    isolate_invocations()
    a, b = Metrics(namespace="t"), Metrics(namespace="t")  # two functions' instances, as in folio local
    both_added = threading.Barrier(2)
    seen, errors = {}, []

    def invocation(metrics, name):
        core.request_stats.update(retries=0)
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        core.request_stats["retries"] += 1
        both_added.wait()
        seen[name] = (set(metrics.metric_set), core.request_stats["retries"])
        for i in range(3000):  # flush while the other thread adds
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
            try:
                metrics.flush_metrics()
            except RuntimeError as e:
                errors.append(str(e))

    threads = [threading.Thread(target=invocation, args=(m, n)) for m, n in ((a, "A"), (b, "B"))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert seen == {"A": ({"A"}, 1), "B": ({"B"}, 1)}, seen
    assert errors == [], errors[:3]
    print("isolated")
''')


def test_concurrent_invocations_neither_share_nor_break_each_others_metrics():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "POWERTOOLS_METRICS_NAMESPACE": "t", "POWERTOOLS_SERVICE_NAME": "t"})
    assert out.returncode == 0 and "isolated" in out.stdout, out.stderr[-3000:]


RESOLVER_SCRIPT = textwrap.dedent('''
    import threading
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from folio.local.isolation import isolate_invocations
    from folio.web.request import CurrentRequest, current_request

    isolate_invocations()
    app = APIGatewayHttpResolver()  # one function's module, invoked on two threads at once
    both_resolving = threading.Barrier(2)
    seen = {}

    @app.get("/documents/<doc_id>")
    def get_document(doc_id: str, request: CurrentRequest):
        both_resolving.wait()  # the other invocation has set its event and context by now
        seen[doc_id] = (request.caller.tenant, app.current_event.raw_event["rawPath"],
                        current_request(app).path["doc_id"])
        return {"doc": doc_id}

    def event(tenant, doc):
        return {"version": "2.0", "routeKey": "GET /documents/{doc_id}", "rawPath": f"/documents/{doc}",
                "rawQueryString": "", "headers": {}, "pathParameters": {"doc_id": doc},
                "requestContext": {"http": {"method": "GET", "path": f"/documents/{doc}"}, "stage": "$default",
                                   "authorizer": {"jwt": {"claims": {"tenant": tenant, "sub": "u"}}}},
                "isBase64Encoded": False}

    answers = {}
    def invoke(tenant, doc):
        answers[doc] = app.resolve(event(tenant, doc), None)["statusCode"]

    threads = [threading.Thread(target=invoke, args=a) for a in (("acme", "1"), ("globex", "2"))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert answers == {"1": 200, "2": 200}, answers
    assert seen == {"1": ("acme", "/documents/1", "1"), "2": ("globex", "/documents/2", "2")}, seen
    print("isolated")
''')


def test_concurrent_invocations_of_one_function_see_their_own_event_and_request():
    """Powertools keeps the event in class attributes and the route in the resolver's context:
    shared, one tenant's invocation answered from another's event (seen under load)."""
    out = subprocess.run([sys.executable, "-c", RESOLVER_SCRIPT], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "POWERTOOLS_SERVICE_NAME": "t"})
    assert out.returncode == 0 and "isolated" in out.stdout, out.stderr[-3000:]


BUDGET_AND_LINKS = textwrap.dedent('''
    import threading
    from folio.core import service as core
    from folio.local.isolation import isolate_invocations

    isolate_invocations()
    inside, ended, seen = threading.Event(), threading.Event(), {}

    def long_one():  # an invocation still retrying while a short one on another thread ends
        with core.retry_budget.until(29):
            core.committed_documents.append("its own document")
            inside.set()
            ended.wait(5)
            seen["deadline"], seen["documents"] = core.retry_budget.deadline, list(core.committed_documents)

    t = threading.Thread(target=long_one)
    t.start()
    inside.wait(5)
    with core.retry_budget.until(29):
        core.committed_documents.clear()
        core.committed_documents.append("another tenant's document")
    ended.set()
    t.join()
    assert seen["deadline"] is not None, "one invocation ending ended another one's retry budget"
    assert seen["documents"] == ["its own document"], seen["documents"]
    print("ok")
''')


def test_the_retry_budget_and_the_committed_documents_are_per_invocation():
    """An Idempotency-Key answer linked to another invocation's (another tenant's) document would be
    erased with it; a deadline cleared by another invocation would end this one's retries."""
    out = subprocess.run([sys.executable, "-c", BUDGET_AND_LINKS], capture_output=True, text=True, timeout=120,
                         env=os.environ)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
