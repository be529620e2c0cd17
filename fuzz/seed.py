"""Seeds the inbox fuzz corpus from the captured payloads in tests/fixtures (run from fuzz/)."""
import base64, hashlib, json, pathlib

root = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
out = pathlib.Path(__file__).resolve().parent / "corpus" / "inbox"
out.mkdir(parents=True, exist_ok=True)
for path in sorted(root.rglob("*")):
    if path.suffix not in (".json", ".txt") or not path.is_file():
        continue
    body = path.read_bytes()
    try:
        json.loads(body)
    except ValueError:
        continue
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    heads = [
        "host: centre.example",
        "date: Tue, 28 Mar 2023 21:03:44 GMT",
        f"digest: SHA-256={digest}",
        "content-type: application/activity+json",
        'signature: keyId="https://peer.example/u/a#main-key",algorithm="rsa-sha256",'
        'headers="(request-target) host date digest",signature="AAAA"',
    ]
    (out / f"cavage-{path.stem}").write_bytes("\n".join(heads).encode() + b"\n\n" + body)
    heads = [
        f"content-digest: sha-256=:{digest}:",
        'signature-input: sig1=("@method" "@target-uri" "content-digest");created=1703066400;keyid="https://peer.example/u/a#main-key"',
        "signature: sig1=:AAAA:",
    ]
    (out / f"rfc9421-{path.stem}").write_bytes("\n".join(heads).encode() + b"\n\n" + body)
