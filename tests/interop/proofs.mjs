// FEP-8b32 object integrity proofs checked with Fedify's own code, for peer.mjs's control API
// (tests/federation/interop/statements.rs), and what JSON-LD makes of Maillage's extension
// terms (`urn:maillage:`) in what the inbox received.
//
//   POST /control/verify-proof {url}   GET the document with Fedify's document loader, then
//                                      `verifyObject(Object, document)` (every proof valid,
//                                      every attribution authenticated by a proof's key) and
//                                      `verifyProof` of each proof on its own. Answers
//                                      {verified, error?, keyId?, proofs, parsed, log, …}

import { verifyObject, verifyProof } from "@fedify/fedify";
import { Object as ApObject, getTypeId } from "@fedify/vocab";
import jsonld from "jsonld";

const MAILLAGE = "urn:maillage:";
const AS = "https://www.w3.org/ns/activitystreams#";

function str(value) {
  return value == null ? null : String(value);
}

// `deps`: {context() → a Fedify Context, describe(object, loaders), watchLog(fn) → unwatch}.
export function proofRoutes({ context, describe, watchLog }) {
  return {
    "POST /control/verify-proof": async ({ url }) => {
      const ctx = context();
      const contexts = [];
      const contextLoader = async (u, options) => {
        contexts.push(u);
        return await ctx.contextLoader(u, options);
      };
      const loaders = { documentLoader: ctx.documentLoader, contextLoader };
      let document;
      try {
        ({ document } = await ctx.documentLoader(url));
      } catch (error) {
        return { verified: false, error: `fetching ${url}: ${error}`, url };
      }
      // Fedify's proof and key logs (debug) say why a proof was refused.
      const log = [];
      const unwatch = watchLog((line) => {
        if (line.category.startsWith("fedify.sig")) log.push(line);
      });
      const out = { url, document, verified: false, proofs: [], log, contexts_requested: contexts };
      try {
        let object = null;
        try {
          object = await verifyObject(ApObject, document, loaders);
        } catch (error) {
          out.error = `verifyObject threw: ${error}`;
        }
        out.verified = object != null;
        // Each proof on its own, to name the key that verified it (or did not).
        let parsed = object;
        if (parsed == null) {
          try {
            parsed = await ApObject.fromJsonLd(document, loaders);
          } catch (error) {
            out.parse_error = String(error);
          }
        }
        if (parsed != null) {
          out.parsed = await describe(parsed, loaders);
          // The bundled class is named `Object$1`: report its type IRI and plain name.
          out.parsed.type = parsed.constructor.name.replace(/\$\d+$/, "");
          out.parsed.type_id = str(getTypeId(parsed));
          out.parsed.types = typesOf(document);
          for await (const proof of parsed.getProofs(loaders)) {
            const entry = {
              type: proof.constructor.name,
              cryptosuite: proof.cryptosuite,
              proof_purpose: proof.proofPurpose,
              verification_method: str(proof.verificationMethodId),
              created: str(proof.created),
              verified: false,
            };
            try {
              const key = await verifyProof(document, proof, loaders);
              entry.verified = key != null;
              entry.key_id = str(key?.id);
              entry.controller = str(key?.controllerId);
            } catch (error) {
              entry.error = String(error);
            }
            out.proofs.push(entry);
          }
        }
        const verifiedKey = out.proofs.find((p) => p.verified)?.key_id;
        if (out.verified && verifiedKey != null) out.keyId = verifiedKey;
        if (!out.verified && out.error == null) {
          // First lines only (the rest is the proof, inspected), each once.
          const why = [...new Set(log.filter((l) => l.category === "fedify.sig.proof")
            .map((l) => l.message.split("\n")[0]))];
          out.error = `verifyObject returned null${why.length > 0 ? `: ${why.join(" | ")}` : ""}`;
        }
      } finally {
        unwatch();
      }
      return out;
    },
  };
}

function typesOf(document) {
  const t = document?.type ?? document?.["@type"];
  return t == null ? [] : Array.isArray(t) ? t : [t];
}

// Maillage's own terms on the object of a received activity, as JSON-LD expands them with the
// given (offline) loader: {"urn:maillage:signatures": [ids], "urn:maillage:statementVersion":
// [values], …}; null when the object has none.
export async function maillageTerms(rawActivity, documentLoader) {
  if (rawActivity == null || typeof rawActivity !== "object") return null;
  try {
    const [expanded] = await jsonld.expand(rawActivity, { documentLoader });
    const object = expanded?.[`${AS}object`]?.[0];
    if (object == null) return null;
    const out = {};
    for (const [iri, values] of Object.entries(object)) {
      if (!iri.startsWith(MAILLAGE)) continue;
      out[iri] = values.map((v) => v["@id"] ?? v["@value"] ?? v);
    }
    return Object.keys(out).length > 0 ? out : null;
  } catch (error) {
    return { error: String(error) };
  }
}
