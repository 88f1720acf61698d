"""`folio`: local, token, invoke, openapi, procedure, dynamodb-local (DESIGN §5)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path


def _find_template(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "template.yaml").exists():
            return folder / "template.yaml"
    sys.exit("folio: no template.yaml here or above; pass --template")


def _http_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises for a port that is no number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    return value


def _csv(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def cmd_token(args) -> int:
    from .auth import mint_token

    print(mint_token(tenant=args.tenant, sub=args.sub, scope=args.scope, domains=_csv(args.domains),
                     steps=_csv(args.steps), expires_in=args.expires_in))
    return 0


def cmd_openapi(args) -> int:
    from .openapi import build_openapi
    from .template import Template

    print(json.dumps(build_openapi(Template(_find_template(args.template))), indent=2))
    return 0


class _Deferred:
    """A callback whose target is set once the runtime exists (AWS starts first)."""

    target = None

    def __call__(self, *args):
        if self.target is not None:
            self.target(*args)


def _local_aws(args, on_object_created=None, on_event_put=None):
    """The AWS the command asked for (embedded moto unless an endpoint is named), started."""
    from .aws import LocalAws

    try:
        return LocalAws(aws_endpoint=args.aws_endpoint, dynamodb_endpoint=args.dynamodb_endpoint,
                        on_object_created=on_object_created, on_event_put=on_event_put).start()
    except (ValueError, ConnectionError) as e:
        sys.exit(f"folio: {e}")


def cmd_local(args) -> int:
    from werkzeug.serving import make_server

    from ..dialects import providers
    from .auth import Authorizer, mint_token
    from .fixtures import seed
    from .gateway import Gateway
    from .isolation import isolate_invocations
    from .openapi import build_openapi
    from .event_delivery import EventDelivery
    from .runtime import FunctionRuntime, S3Notifier
    from .streams import StreamPoller, mappings_for
    from .template import Template

    template = Template(_find_template(args.template))
    isolate_invocations()  # the gateway runs invocations concurrently, as threads of this process
    notify = _Deferred()
    delivery = EventDelivery(args.events_url)
    aws = _local_aws(args, on_object_created=notify, on_event_put=delivery)
    try:
        aws.create_resources(template)
        runtime = FunctionRuntime(template)
        notify.target = S3Notifier(template, runtime)
        seed()
        # the table's stream, run through its functions as Lambda would, from here on (the seed is
        # configuration: it announces nothing)
        poller = StreamPoller(mappings_for(template, runtime, aws, latest=True)).start()
        base = f"http://{args.host}:{args.port}"
        gateway = Gateway(template, runtime, Authorizer(), build_openapi(template, base))
        server = make_server(args.host, args.port, gateway, threaded=True)
    except BaseException:
        aws.stop()
        raise
    base = f"http://{args.host}:{server.server_port}"
    token = mint_token()
    print(f"folio local: serving {len(template.routes)} routes of {template.path.name} on {base}", flush=True)
    for route in sorted(template.routes, key=lambda r: (r.path, r.method)):
        print(f"  {route.method:6} {route.path:60} -> {route.function_id}", flush=True)
    print("\n".join(aws.describe()), flush=True)
    print(f"OpenAPI: {base}/openapi.json", flush=True)
    print("Change events: every committed change is printed here as `EVENT <bus> <CloudEvent>`"
          + (f" and POSTed to {args.events_url}" if args.events_url else " (--events-url URL to POST each one too)"),
          flush=True)
    print(f"\nA token (tenant demo, both scopes, 1 hour; `folio token --help` for others):\n{token}\n", flush=True)
    for provider in providers("local"):
        for line in getattr(provider, "describe", lambda _base, _token: [])(base, token):
            print(line, flush=True)
    print(f"READY {base}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        poller.stop()
        delivery.stop()
        aws.stop()
    return 0


def cmd_invoke(args) -> int:
    from .fixtures import prepare, seed
    from .runtime import FunctionRuntime
    from .template import Template

    template = Template(_find_template(args.template))
    if args.function_id not in template.functions:
        sys.exit(f"folio: no function {args.function_id}; the template has {', '.join(sorted(template.functions))}")
    event = json.loads(Path(args.event).read_text())
    # Everything but the answer goes to stderr: a logger made while AWS is set up (Powertools binds
    # its handler to sys.stdout when a Logger is created) logs there too.
    with contextlib.redirect_stdout(sys.stderr):
        aws = _local_aws(args)
        try:
            aws.create_resources(template)
            runtime = FunctionRuntime(template)
            seed()
            prepare(args.function_id, event)
            answer = runtime.invoke(args.function_id, event)
        finally:
            aws.stop()
    print(json.dumps(answer, indent=2))
    failed = "errorType" in answer or int(answer.get("statusCode", 200)) >= 400
    return 1 if failed else 0


def cmd_replay_changes(args) -> int:
    """Announce again a batch of the table's stream the publisher gave up on (a message of
    ChangeEventsFailuresQueue), on the deployed stack: AWS credentials and region from the environment."""
    import os

    from ..dialects.publisher import replay
    from ..storage.changes import RecordsExpired
    from ..storage.event_bus import EventBus
    from ..web.stream_events import failed_batch

    text = sys.stdin.read() if args.failure == "-" else Path(args.failure).read_text()
    try:
        message = json.loads(text)
        batch = failed_batch(json.loads(message["Body"]) if isinstance(message, dict) and "Body" in message
                             else message)
    except (ValueError, KeyError, TypeError) as e:
        sys.exit(f"folio: {args.failure}: {e}")
    os.environ["EVENT_BUS_NAME"] = args.bus
    try:
        announced = replay(batch, EventBus())
    except RecordsExpired as e:
        sys.exit(f"folio: {e}")
    print(f"announced {len(announced)} change events of stream records {batch.first} to {batch.last}")
    for event in announced:
        print(f"  {event['type']} {event['subject']} version {event['data']['version']} id {event['id']}")
    return 0


def cmd_dynamodb_local(args) -> int:
    """Serve DynamoDB Local in memory until Ctrl-C (or SIGTERM), for `folio local --dynamodb-endpoint`."""
    import signal
    import time

    from .dynamodb_local import DynamoDBLocal, NotInstalled

    try:
        engine = DynamoDBLocal(port=args.port, host=args.host, jar=args.jar)
    except NotInstalled as e:
        sys.exit(f"folio: {e}")

    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        engine.start()
    except RuntimeError as e:
        sys.exit(f"folio: {e}")
    print(f"DynamoDB Local ({engine.jar.parent.name}) in memory on {engine.endpoint_url}: "
          "its data is gone when it stops (Ctrl-C)", flush=True)
    print(f"  folio local --dynamodb-endpoint {engine.endpoint_url}", flush=True)
    print(f"READY {engine.endpoint_url}", flush=True)
    try:
        while engine.proc is not None and engine.proc.poll() is None:
            time.sleep(0.5)
        print(f"folio: DynamoDB Local exited:\n{engine.output()[-2000:]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        engine.stop()


def _endpoint_options(p) -> None:
    p.add_argument("--aws-endpoint", metavar="URL",
                   help="an AWS-compatible endpoint already running, for DynamoDB and S3 (instead of the embedded moto)")
    p.add_argument("--dynamodb-endpoint", metavar="URL",
                   help="DynamoDB there (e.g. DynamoDB Local, see `folio dynamodb-local`); S3 stays embedded "
                        "unless --aws-endpoint names one")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="folio", description="folio on a laptop: no AWS account, no Docker")
    parser.add_argument("--template", help="path to template.yaml (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("local", help="serve every route of template.yaml over an embedded AWS")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--events-url", metavar="URL", type=_http_url,
                   help="POST each change event there too (a CloudEvent, application/cloudevents+json)")
    _endpoint_options(p)
    p.set_defaults(func=cmd_local)

    p = sub.add_parser("token", help="print a token that folio local accepts")
    p.add_argument("--tenant", default="demo")
    p.add_argument("--sub", default="local-user")
    p.add_argument("--scope", default="documents:read documents:write")
    p.add_argument("--domains", help="KYC X-Domain-IDs allowed, e.g. 1,2 (default: all)")
    p.add_argument("--steps", help="capture step ids allowed, e.g. s1,* (default: *)")
    p.add_argument("--expires-in", type=int, default=3600, help="seconds (negative for an expired token)")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("invoke", help="run one function on a sample event against the embedded AWS")
    p.add_argument("function_id", metavar="FunctionLogicalId")
    p.add_argument("--event", required=True)
    _endpoint_options(p)
    p.set_defaults(func=cmd_invoke)

    from ..dialects import providers

    for provider in providers("cli"):
        provider.add_commands(sub)

    p = sub.add_parser("replay-changes", help="announce again a stream batch the change publisher gave up on "
                                              "(a ChangeEventsFailuresQueue message), on the deployed stack")
    p.add_argument("--failure", required=True, help="the message (its JSON, or SQS's with its Body), a file or -")
    p.add_argument("--bus", required=True, help="the stack's ChangeEventsBusName output")
    p.set_defaults(func=cmd_replay_changes)

    p = sub.add_parser("openapi", help="print the OpenAPI document of every route")
    p.set_defaults(func=cmd_openapi)

    p = sub.add_parser("dynamodb-local", help="serve DynamoDB Local (AWS's engine, in memory) until Ctrl-C")
    p.add_argument("--host", default="127.0.0.1", help="the address clients use (the engine listens on all)")
    p.add_argument("--port", type=int, default=8000, help="0 for a free one")
    p.add_argument("--jar", help="DynamoDBLocal.jar (default: the one `make dynamodb-local-install` installed)")
    p.set_defaults(func=cmd_dynamodb_local)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
