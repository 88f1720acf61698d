"""Running template.yaml's functions in this process, as Lambda would (one module per function)."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import sys
import threading
import traceback
from typing import Any

from .events import LambdaContext
from .template import Function, Template


class FunctionRuntime:
    def __init__(self, template: Template):
        self.template = template
        self._handlers: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._apply_environment()

    def _apply_environment(self) -> None:
        """Functions share this process, so their environments must agree; set them once."""
        merged: dict[str, str] = {}
        for fn in self.template.functions.values():
            for name, value in fn.environment.items():
                if name in merged and merged[name] != str(value):
                    raise RuntimeError(f"{fn.logical_id} sets {name} differently from another function; "
                                       "folio local runs all functions in one process")
                merged[name] = str(value)
        merged["POWERTOOLS_TRACE_DISABLED"] = "true"  # no X-Ray daemon on a laptop
        os.environ.update(merged)

    def handler(self, function_id: str):
        with self._lock:
            if function_id not in self._handlers:
                fn = self.template.functions[function_id]
                module_name, attr = fn.handler.rsplit(".", 1)
                path = fn.code_uri / f"{module_name.replace('.', '/')}.py"
                spec = importlib.util.spec_from_file_location(f"folio_fn_{function_id}", path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[spec.name] = module
                spec.loader.exec_module(module)
                self._handlers[function_id] = getattr(module, attr)
            return self._handlers[function_id]

    def invoke(self, function_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """Call the function; normalise its answer to a payload-2.0 response (500 on a crash)."""
        fn: Function = self.template.functions[function_id]
        context = LambdaContext(fn.logical_id, fn.memory_mb, fn.timeout_s)
        http = "routeKey" in event  # an API Gateway event; S3 and schedule events get the raw result
        try:
            result = self.handler(function_id)(event, context)
        except Exception as error:  # noqa: BLE001 - API Gateway answers 500 when the function fails
            traceback.print_exc()
            if not http:
                return {"errorType": type(error).__name__, "errorMessage": str(error)}
            return {"statusCode": 500, "headers": {"content-type": "application/json"},
                    "body": json.dumps({"message": "Internal Server Error"})}
        return normalize_response(result) if http else result


def normalize_response(result: Any) -> dict[str, Any]:
    """Payload 2.0: a dict with statusCode is used as is; anything else is JSON with 200."""
    if isinstance(result, dict) and "statusCode" in result:
        return result
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(result)}


def response_body(response: dict[str, Any]) -> bytes:
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode() if isinstance(body, str) else bytes(body)


class S3Notifier:
    """Delivers ObjectCreated events to the functions whose S3 events in the template match, as S3 would."""

    def __init__(self, template: Template, runtime: FunctionRuntime):
        self.template = template
        self.runtime = runtime
        self._sequence = 0
        self._lock = threading.Lock()
        self.delivered: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, bucket: str, key: str, version_id: str | None, size: int, etag: str) -> None:
        from .events import build_s3_event

        with self._lock:
            self._sequence += 1
            sequencer = f"{self._sequence:016X}"
        for fn in self.template.functions.values():
            if any(t.matches(bucket, "s3:ObjectCreated:Put", key) for t in fn.s3_triggers):
                event = build_s3_event(bucket=bucket, key=key, size=size, etag=etag, version_id=version_id,
                                       sequencer=sequencer)
                answer = self.runtime.invoke(fn.logical_id, event)
                self.delivered.append((fn.logical_id, answer))
