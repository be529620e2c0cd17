// Fedify's verdict on one signed request: tests/federation/interop/fedify_verifies.rs signs
// requests with Maillage's signer and asks this script whether Fedify's own `verifyRequest`
// accepts them.
//
// Reads one JSON object on stdin:
//   {method, url, headers: {name: value}, body: string|null, public_key_pem, key_id,
//    current_time?: unix seconds (default: now)}
// and prints one JSON line on stdout:
//   {"verified": bool, "spec": "draft-cavage"|"rfc9421", "reason": …}
//
// The signer's key is handed to Fedify through its key cache (`keyCache.get` answers the given
// key for `key_id`, and nothing for any other id). When a signature fails with a cached key,
// Fedify fetches the key again and retries: the document loader answers that fetch with the
// same key, as Fedify serializes it (its JSON-LD context from Fedify's bundled ones), and
// refuses every other URL, so nothing here reaches the network and any other key id fails. The scheme is the
// one Fedify picks itself: RFC 9421 when there is a Signature-Input header, else draft-cavage.
// Fedify's time window is its default (one hour either way).

import { importSpki, preloadedContexts, verifyRequestDetailed } from "@fedify/fedify";
import { CryptographicKey } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

const input = await readStdin();
const keyId = new URL(input.key_id);
const key = new CryptographicKey({
  id: keyId,
  owner: new URL(keyId.href.replace(/#.*$/, "")),
  publicKey: await importSpki(input.public_key_pem),
});

const keyCache = {
  async get(id) {
    return id.href === keyId.href ? key : undefined;
  },
  async set() {},
};
const keyDocument = await key.toJsonLd();
const contextLoader = async (url) => {
  const document = preloadedContexts[url];
  if (document == null) throw new Error(`no network here: context ${url} is not bundled`);
  return { contextUrl: null, documentUrl: url, document };
};
const documentLoader = async (url) => {
  if (url === keyId.href) return { contextUrl: null, documentUrl: url, document: keyDocument };
  throw new Error(`no network here: refusing to load ${url}`);
};

const hasBody = input.body != null && input.method !== "GET" && input.method !== "HEAD";
const request = new Request(input.url, {
  method: input.method,
  headers: input.headers,
  body: hasBody ? input.body : undefined,
});
const spec = request.headers.has("Signature-Input") ? "rfc9421" : "draft-cavage";
const result = await verifyRequestDetailed(request, {
  keyCache,
  documentLoader,
  contextLoader,
  ...(input.current_time != null
    ? { currentTime: Temporal.Instant.fromEpochMilliseconds(input.current_time * 1000) }
    : {}),
});
const reason = result.verified
  ? null
  : JSON.parse(JSON.stringify(result.reason, (_k, v) => (v instanceof URL ? v.href : v instanceof Error ? String(v) : v)));
process.stdout.write(
  `${JSON.stringify({ verified: result.verified, spec, key_id: result.verified ? result.key.id?.href : null, reason })}\n`,
);
