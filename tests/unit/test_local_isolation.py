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
