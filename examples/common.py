"""What every example shares: the API's URL and a bearer token, from the command line or the environment."""

from __future__ import annotations

import argparse
import os

import requests


def session(token: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--url", default=os.environ.get("FOLIO_URL", "http://127.0.0.1:3000"),
                        help="the API's base URL (the stack's ApiUrl output, or folio local's)")
    parser.add_argument("--token", default=os.environ.get("FOLIO_TOKEN"),
                        help="a bearer token (`folio token` for folio local)")
    args = parser.parse_args()
    if not args.token:
        parser.error("give --token or set FOLIO_TOKEN")
    return args


def check(answer: requests.Response, *expected: int) -> dict:
    if answer.status_code not in expected:
        raise SystemExit(f"{answer.request.method} {answer.url}: {answer.status_code} {answer.text}")
    return answer.json() if answer.headers.get("Content-Type", "").startswith(("application/json", "application/problem")) else {}
