"""The local API Gateway: template.yaml's routes on a threaded werkzeug server.

It verifies tokens as the JWT authorizer does, builds payload-2.0 events, enforces the
Lambda payload limit (413) and runs the functions concurrently; the embedded AWS behind them
serves one request at a time.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from .auth import Authorizer
from .events import LAMBDA_PAYLOAD_LIMIT, build_event
from .runtime import FunctionRuntime, response_body
from .template import Route, Template

#: API Gateway HTTP API's own payload limit.
API_PAYLOAD_LIMIT = 10 * 1024 * 1024


#: API Gateway HTTP API quota: the request line and header values together, in bytes.
HEADER_LIMIT = 10240


DOCS_FILES = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "application/javascript",
              "favicon-32x32.png": "image/png", "favicon-16x16.png": "image/png"}
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>folio API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"><link rel="icon" href="/docs/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", docExpansion: "list",
  deepLinking: true});</script></body></html>
"""


def _message(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps({"message": message}), status=status, headers=headers or {},
                    content_type="application/json")


class Gateway:
    def __init__(self, template: Template, runtime: FunctionRuntime, authorizer: Authorizer,
                 openapi: dict[str, Any] | None = None):
        self.template = template
        self.runtime = runtime
        self.authorizer = authorizer
        self.openapi = openapi

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.template.routes:
            if route.method not in (method, "ANY"):
                continue
            m = route.pattern.match(path)
            if m:
                names = [s[1:-1].rstrip("+") for s in route.path.split("/") if s.startswith("{")]
                return route, dict(zip(names, m.groups(), strict=True))
        return None

    def __call__(self, environ, start_response):
        try:
            response = self.handle(Request(environ))
        except Exception:  # noqa: BLE001 - as API Gateway: a bare 500, the details in the log
            import traceback

            traceback.print_exc()
            response = _message(500, "Internal Server Error")
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        response = self._route(request)
        return self._with_cors(request, response)

    def _cors_origin(self, request: Request) -> str | None:
        cors, origin = self.template.cors, request.headers.get("Origin")
        if not cors or not origin:
            return None
        allowed = cors.get("AllowOrigins") or []
        return "*" if "*" in allowed else (origin if origin in allowed else None)

    def _with_cors(self, request: Request, response: Response) -> Response:
        """As API Gateway does with a CorsConfiguration: allow the origin, expose the headers."""
        origin = self._cors_origin(request)
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            expose = self.template.cors.get("ExposeHeaders")
            if expose:
                response.headers["Access-Control-Expose-Headers"] = ",".join(expose)
        return response

    def _preflight(self, request: Request) -> Response | None:
        if request.method != "OPTIONS" or not self._cors_origin(request) \
                or "Access-Control-Request-Method" not in request.headers:
            return None
        cors = self.template.cors
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = ",".join(cors.get("AllowMethods") or [])
        response.headers["Access-Control-Allow-Headers"] = ",".join(cors.get("AllowHeaders") or [])
        if cors.get("MaxAge"):
            response.headers["Access-Control-Max-Age"] = str(cors["MaxAge"])
        return response

    def _docs(self, request: Request) -> Response | None:
        """Swagger UI over /openapi.json at /docs, from swagger-ui-py's bundled files (no CDN)."""
        if request.method != "GET" or not (request.path == "/docs" or request.path.startswith("/docs/")):
            return None
        name = request.path.removeprefix("/docs").strip("/")
        if not name:
            return Response(DOCS_PAGE, content_type="text/html; charset=utf-8")
        if name not in DOCS_FILES:
            return _message(404, "Not Found")
        import importlib.util
        from pathlib import Path

        spec = importlib.util.find_spec("swagger_ui")
        if spec is None or not spec.submodule_search_locations:
            return _message(404, "Swagger UI is not installed (pip install swagger-ui-py)")
        static = Path(list(spec.submodule_search_locations)[0]) / "static" / name
        return Response(static.read_bytes(), content_type=DOCS_FILES[name])

    def _route(self, request: Request) -> Response:
        if (preflight := self._preflight(request)) is not None:
            return preflight  # answered by API Gateway itself, no token needed
        if self.openapi is not None and (docs := self._docs(request)) is not None:
            return docs
        raw_path = request.environ.get("RAW_URI", request.environ.get("REQUEST_URI", request.path)).split("?", 1)[0]
        if request.method == "GET" and request.path == "/openapi.json" and self.openapi is not None:
            return Response(json.dumps(self.openapi, indent=2), content_type="application/json")
        if (request.content_length or 0) > API_PAYLOAD_LIMIT:
            return _message(413, "Request Entity Too Large")
        head = len(request.method) + len(raw_path) + len(request.environ.get("QUERY_STRING", "")) + sum(
            len(name) + len(value) for name, value in request.headers.items())
        if head > HEADER_LIMIT:
            return _message(431, "Request Header Fields Too Large")
        matched = self.match(request.method, request.path)
        if matched is None:
            return _message(404, "Not Found")
        route, params = matched
        claims, scopes = None, None
        if route.authorized:
            result = self.authorizer.check(request.headers.get("Authorization"), route.scopes)
            if result.status == 401:
                return _message(401, "Unauthorized", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
            if result.status == 403:
                return _message(403, "Forbidden")
            claims, scopes = result.claims, (result.scopes if route.scopes else None)
        body = request.get_data(cache=False)
        if len(body) > API_PAYLOAD_LIMIT:
            return _message(413, "Request Entity Too Large")
        headers = list(request.headers.items())
        headers += [("x-forwarded-proto", request.scheme), ("x-forwarded-for", request.remote_addr or "")]
        event = build_event(
            method=request.method,
            raw_path=raw_path,
            route_key=route.route_key,
            path_parameters=params or None,
            raw_query=request.query_string.decode("latin-1"),
            headers=headers,
            body=body,
            claims=claims,
            scopes=scopes,
            source_ip=request.remote_addr or "127.0.0.1",
            domain_name=request.host,
        )
        if len(json.dumps(event)) > LAMBDA_PAYLOAD_LIMIT:
            return _message(413, "Request Entity Too Large")
        answer = self.runtime.invoke(route.function_id, event)
        response = Response(response_body(answer), status=int(answer.get("statusCode", 200)))
        for name, value in (answer.get("headers") or {}).items():
            response.headers[name] = str(value)
        for name, values in (answer.get("multiValueHeaders") or {}).items():
            for value in values:
                response.headers.add(name, str(value))
        for cookie in answer.get("cookies") or []:
            response.headers.add("Set-Cookie", cookie)
        if "content-type" not in {k.lower() for k in (answer.get("headers") or {})}:
            response.headers["Content-Type"] = "application/json"
        return response
