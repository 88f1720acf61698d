"""REDbot (Mark Nottingham's HTTP linter) on URLs, with request headers the caller owns (its token):
run by .tools/bin/python (REDbot lives in the tools' virtualenv); prints REDbot's notes as JSON.

stdin: a JSON list of {"url": ..., "headers": {...}}; stdout: a JSON list of {"url", "status", "notes"}."""

import json
import sys
from configparser import ConfigParser

import thor
from redbot.resource import HttpResource


def check(url: str, headers: dict[str, str]) -> dict:
    config = ConfigParser()
    config.read_dict({"redbot": {"enable_local_access": "True"}})
    resource = HttpResource(config["redbot"])
    resource.set_request(url, headers=list(headers.items()))

    @thor.events.on(resource)
    def check_done() -> None:
        thor.stop()

    resource.check()
    thor.run()
    notes = [{"name": type(note).__name__, "level": note.level.value, "category": note.category.value,
              "subject": note.subject, "summary": str(note.summary)} for note in resource.response.notes]
    return {"url": url, "status": resource.response.status_code, "length": resource.response.content_length,
            "notes": notes}


if __name__ == "__main__":
    print(json.dumps([check(item["url"], item["headers"]) for item in json.load(sys.stdin)]))
