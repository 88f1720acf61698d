"""kyc: upload a customer's ID document (front and back), then replace the front, streaming the files."""

import json
from pathlib import Path

from requests_toolbelt import MultipartEncoder

from examples.common import arguments, check, session


def run(url: str, token: str, front: Path, back: Path, domain: int = 7, customer: int = 42) -> dict:
    s = session(token)
    with front.open("rb") as f, back.open("rb") as b:  # MultipartEncoder streams: files are not read into memory
        encoder = MultipartEncoder(fields={
            "document": json.dumps({"type": "NATIONAL_ID", "number": "S1234567A", "authenticity": "ORIGINAL",
                                    "issueDate": "2020-01-01", "expiryDate": "2030-01-01"}),
            "front": (front.name, f, "image/jpeg"),
            "back": (back.name, b, "image/jpeg"),
        })
        doc = check(s.post(f"{url}/api/customer/{customer}/document", data=encoder,
                           headers={"Content-Type": encoder.content_type, "X-Domain-ID": str(domain)}), 201)
    with front.open("rb") as f:
        encoder = MultipartEncoder(fields={"document": "{}", "front": (front.name, f, "image/jpeg")})
        return check(s.put(f"{url}/api/customer/{customer}/document/{doc['id']}", data=encoder,
                           headers={"Content-Type": encoder.content_type, "X-Domain-ID": str(domain),
                                    "If-Match": '"1"'}), 200)


if __name__ == "__main__":
    import os

    args = arguments(__doc__ + " Files: FRONT and BACK in the environment.")
    print(run(args.url, args.token, Path(os.environ["FRONT"]), Path(os.environ["BACK"])))
