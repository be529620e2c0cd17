// A Fedify peer for the interop tests (tests/federation/interop/).
//
// One actor, the Person "fedi", served by Fedify on http://localhost:PORT (PORT from argv[2] or
// $PEER_PORT; 0 picks a free one). When it listens it prints one JSON line on stdout,
// {"port": N, "actor": URL}; logs go to stderr.
//
// Everything Fedify receives goes through its own signature verification
// (`skipSignatureVerification` is never set); `allowPrivateAddress: true` lets it talk to
// loopback. Fedify's outgoing requests go through a recording `fetch` that refuses every
// non-loopback address, so nothing here can reach the network (a remote JSON-LD context
// included). A control API under /control/ lets the test drive the actor (JSON in and out):
//
//   GET  /control/health                          {actor, origin}
//   POST /control/follow    {actor_url}           Follow a remote actor looked up by URL
//   GET  /control/received                        activities that reached an inbox listener
//                                                 (so verified), with Fedify's parsed view
//   GET  /control/unverified                      activities Fedify refused, with the reason
//   GET  /control/incoming                        every request to the peer: method, path, status
//   GET  /control/outgoing                        every request Fedify sent: method, url,
//                                                 signature spec, activity id/type, status
//   GET  /control/log                             Fedify's log records (LogTape)
//   GET  /control/followers                       the accepted followers
//   POST /control/publish   {content}             Create{Note} to the followers
//   POST /control/update    {id, content}         Update{Note} (newer `updated`) to the followers
//   POST /control/delete    {id, to?}             Delete{Tombstone} to the followers, or to the
//                                                 actor `to` only
//   POST /control/reply     {in_reply_to, mention_actor, content}
//                                                 Create{Note} with inReplyTo and a Mention,
//                                                 addressed and sent to the mentioned actor
//   POST /control/send-raw  {inbox, body?, content?, tamper: "none"|"body"|"key",
//                            spec: "draft-cavage"|"rfc9421"}
//                                                 a POST signed by Fedify's signRequest (one
//                                                 knock, no fallback), then the body tampered
//                                                 with, or signed by another key than keyId's;
//                                                 answers the status the inbox gave
//   POST /control/fetch     {url, signed?}        GET a document with Fedify's (authenticated)
//                                                 document loader
//   POST /control/expand    {url}                 GET a document, expand it with jsonld.js and
//                                                 parse it with Fedify's vocabulary, both with a
//                                                 loader that has only Fedify's bundled contexts
//   POST /control/verify-proof {url}              FEP-8b32 proofs of a document, checked with
//                                                 Fedify's verifyObject/verifyProof (proofs.mjs)
//
// A received Create/Update also carries `object.maillage_terms`: Maillage's extension terms
// (`urn:maillage:`) of its object, as jsonld.js expands them offline.

import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { inspect } from "node:util";
import { configure } from "@logtape/logtape";
import {
  createFederation,
  generateCryptoKeyPair,
  InProcessMessageQueue,
  MemoryKvStore,
  preloadedContexts,
  signRequest,
} from "@fedify/fedify";
import {
  Accept,
  Activity,
  Announce,
  Create,
  Delete,
  Endpoints,
  Event,
  Follow,
  isActor,
  Like,
  Mention,
  Note,
  Object as ApObject,
  Person,
  Place,
  PUBLIC_COLLECTION,
  Tombstone,
  Undo,
  Update,
} from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import jsonld from "jsonld";
import { maillageTerms, proofRoutes } from "./proofs.mjs";

const IDENTIFIER = "fedi";
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

// ---------------------------------------------------------------------------------------------
// Records

const received = []; // activities that reached a listener (verified by Fedify)
const unverified = []; // activities Fedify refused (signature), with its reason
const inboxErrors = []; // errors thrown while handling a verified activity
const incoming = []; // every request to this server
const outgoing = []; // every request Fedify sent
const logRecords = []; // Fedify's log
const offlineViolations = []; // non-loopback URLs something tried to fetch
const rawBodies = new Map(); // activity id -> {json, spec, key_id} as received on the wire
const followers = new Map(); // actor id -> {id, inboxId, endpoints}
const notes = new Map(); // note id (path segment) -> {note, create}
const logWatchers = new Set(); // functions called with each log line as it is recorded

function watchLog(fn) {
  logWatchers.add(fn);
  return () => logWatchers.delete(fn);
}

function renderMessage(parts) {
  return parts
    .map((p, i) => (i % 2 === 0 ? p : typeof p === "string" ? p : inspect(p, { depth: 4, breakLength: Infinity })))
    .join("");
}

await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    memory(record) {
      const line = {
        time: new Date(record.timestamp).toISOString(),
        level: record.level,
        category: record.category.join("."),
        message: renderMessage(record.message),
      };
      logRecords.push(line);
      if (logRecords.length > 5000) logRecords.shift();
      for (const watcher of logWatchers) watcher(line);
      process.stderr.write(`${line.time} ${line.level} [${line.category}] ${line.message}\n`);
    },
  },
  loggers: [
    { category: "fedify", lowestLevel: "debug", sinks: ["memory"] },
    { category: ["fedify", "utils", "kv-cache"], lowestLevel: "info", sinks: ["memory"], parentSinks: "override" },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["memory"] },
  ],
});

function signatureSpec(headers) {
  if (headers.get("signature-input") != null) return "rfc9421";
  if (headers.get("signature") != null) return "draft-cavage";
  return "none";
}

function keyIdOf(headers) {
  const sig = headers.get("signature") ?? "";
  const cavage = sig.match(/keyId="([^"]*)"/);
  if (cavage) return cavage[1];
  const input = headers.get("signature-input") ?? "";
  const rfc = input.match(/keyid="([^"]*)"/);
  return rfc ? rfc[1] : null;
}

// Every request Fedify (or this file) sends goes through here: it is recorded, and a
// non-loopback destination is refused (this test never reaches the network).
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = input instanceof Request && init == null ? input : new Request(input, init);
  const url = new URL(request.url);
  const entry = {
    method: request.method,
    url: request.url,
    spec: signatureSpec(request.headers),
    key_id: keyIdOf(request.headers),
    accept: request.headers.get("accept"),
    activity_id: null,
    activity_type: null,
    status: null,
    error: null,
  };
  outgoing.push(entry);
  if (!LOOPBACK.has(url.hostname)) {
    offlineViolations.push(request.url);
    entry.error = "refused: not a loopback address (no network in this test)";
    throw new TypeError(`${entry.error}: ${request.url}`);
  }
  if (request.method === "POST") {
    try {
      const body = JSON.parse(await request.clone().text());
      entry.activity_id = body.id ?? null;
      entry.activity_type = body.type ?? null;
    } catch {
      // not JSON: leave the fields empty
    }
  }
  try {
    const response = await realFetch(request);
    entry.status = response.status;
    if (response.status >= 400) {
      entry.response_body = (await response.clone().text()).slice(0, 2000);
    }
    return response;
  } catch (error) {
    entry.error = String(error);
    throw error;
  }
};

// ---------------------------------------------------------------------------------------------
// The actor

const rsaKeys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const ed25519Keys = await generateCryptoKeyPair("Ed25519");

const server = http.createServer();
const requestedPort = Number(process.argv[2] ?? process.env.PEER_PORT ?? 0);
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(requestedPort, "127.0.0.1", resolve);
});
const port = server.address().port;
const origin = `http://localhost:${port}`;

const federation = createFederation({
  kv: new MemoryKvStore(),
  // Incoming activities are verified at once and handled from the queue, as most servers do;
  // the control API sends with `immediate: true` to report each delivery's outcome.
  queue: new InProcessMessageQueue(),
  origin,
  allowPrivateAddress: true,
});

function str(value) {
  return value == null ? null : String(value);
}

function actorUri(ctx) {
  return ctx.getActorUri(IDENTIFIER);
}

// With PEER_AUTHORIZED_FETCH=1 the peer behaves like GoToSocial or Mastodon in secure mode:
// its actor, outbox and notes answer only signed GETs.
const authorizedFetch = process.env.PEER_AUTHORIZED_FETCH === "1";
const signedOnly = async (ctx) => {
  if (!authorizedFetch) return true;
  const owner = await ctx.getSignedKeyOwner();
  return owner != null;
};

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify interop peer",
      summary: "<p>A Fedify actor that the Maillage tests drive.</p>",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return [];
    return [rsaKeys, ed25519Keys];
  })
  .authorize(signedOnly);

federation.setFollowersDispatcher("/users/{identifier}/followers", async (_ctx, identifier) => {
  if (identifier !== IDENTIFIER) return null;
  return { items: [...followers.values()] };
});

federation
  .setOutboxDispatcher("/users/{identifier}/outbox", async (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return { items: [...notes.values()].map((n) => n.create).reverse() };
  })
  .authorize(signedOnly);

federation.setObjectDispatcher(Note, "/notes/{id}", async (_ctx, values) => {
  return notes.get(values.id)?.note ?? null;
});

// Fedify's parsed view of an object, through its vocabulary classes.
async function describe(object, loaders = {}) {
  if (object == null) return null;
  const out = {
    type: object.constructor.name,
    id: str(object.id),
    name: str(object.name),
    summary: str(object.summary),
    content: str(object.content),
    published: str(object.published),
    updated: str(object.updated),
    start_time: str(object.startTime),
    end_time: str(object.endTime),
    url: str(object.url?.href ?? object.url),
    in_reply_to: str(object.replyTargetId),
    attributed_to: (object.attributionIds ?? []).map(String),
    to: (object.toIds ?? []).map(String),
    cc: (object.ccIds ?? []).map(String),
    tags: [],
    location: null,
  };
  try {
    for await (const tag of object.getTags(loaders)) {
      out.tags.push({ type: tag.constructor.name, name: str(tag.name), href: str(tag.href) });
    }
  } catch (error) {
    out.tags_error = String(error);
  }
  if (typeof object.getAttachments === "function") {
    out.attachments = [];
    try {
      for await (const a of object.getAttachments(loaders)) {
        out.attachments.push({
          type: a.constructor.name,
          media_type: str(a.mediaType),
          url: str(a.url?.href ?? a.url),
          name: str(a.name),
        });
      }
    } catch (error) {
      out.attachments_error = String(error);
    }
  }
  if (object.locationId != null || object instanceof Event) {
    try {
      const place = await object.getLocation(loaders);
      if (place != null) {
        out.location = {
          type: place.constructor.name,
          name: str(place.name),
          latitude: place instanceof Place ? place.latitude : null,
          longitude: place instanceof Place ? place.longitude : null,
        };
      }
    } catch (error) {
      out.location_error = String(error);
    }
  }
  if (isActor(object)) {
    out.preferred_username = str(object.preferredUsername);
    out.inbox = str(object.inboxId);
    out.shared_inbox = str(object.endpoints?.sharedInbox);
    out.outbox = str(object.outboxId);
    out.followers = str(object.followersId);
    out.following = str(object.followingId);
    out.manually_approves_followers = object.manuallyApprovesFollowers;
    out.discoverable = object.discoverable;
    out.indexable = object.indexable;
    try {
      const key = await object.getPublicKey(loaders);
      out.public_key = key == null
        ? null
        : {
          id: str(key.id),
          owner: str(key.ownerId),
          algorithm: key.publicKey?.algorithm?.name ?? null,
        };
    } catch (error) {
      out.public_key_error = String(error);
    }
  }
  return out;
}

// schema.org's PostalAddress is not in Fedify's vocabulary: the address is read from the
// JSON-LD expansion (jsonld.js, the processor Fedify uses) of the activity as received.
async function expandedAddress(rawActivity) {
  if (rawActivity == null || typeof rawActivity !== "object") return null;
  try {
    const [expanded] = await jsonld.expand(rawActivity, { documentLoader: offlineLoader([]) });
    const object = expanded?.["https://www.w3.org/ns/activitystreams#object"]?.[0];
    const place = object?.["https://www.w3.org/ns/activitystreams#location"]?.[0];
    const address = place?.["http://schema.org#address"]?.[0];
    if (address == null) return null;
    const out = { type: (address["@type"] ?? []).join(" ") };
    for (const [iri, values] of Object.entries(address)) {
      if (iri.startsWith("@")) continue;
      out[iri.replace(/^http:\/\/schema\.org#/, "")] = values[0]?.["@value"] ?? values[0]?.["@id"] ?? null;
    }
    return out;
  } catch (error) {
    return { error: String(error) };
  }
}

async function record(ctx, activity) {
  const id = str(activity.id);
  const wire = rawBodies.get(id);
  const entry = {
    id,
    type: activity.constructor.name,
    actor: str(activity.actorId),
    object_id: str(activity.objectId),
    recipient: ctx.recipient ?? null, // null: the shared inbox
    signature: wire?.spec ?? null,
    key_id: wire?.key_id ?? null,
    object: null,
    raw: wire?.json ?? null,
  };
  if (activity instanceof Create || activity instanceof Update || activity instanceof Delete) {
    try {
      const object = await activity.getObject();
      entry.object = await describe(object);
      if (object instanceof Event) {
        entry.object.location_address = await expandedAddress(wire?.json);
      }
      if (entry.object != null && !(activity instanceof Delete)) {
        entry.object.maillage_terms = await maillageTerms(wire?.json, offlineLoader([]));
      }
    } catch (error) {
      entry.object_error = String(error);
    }
  }
  received.push(entry);
  return entry;
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Activity, async (ctx, activity) => {
    await record(ctx, activity);
    if (activity instanceof Follow && activity.objectId?.href === actorUri(ctx).href) {
      const follower = await activity.getActor();
      if (follower == null) throw new Error(`cannot fetch the follower ${activity.actorId}`);
      followers.set(follower.id.href, {
        id: follower.id,
        inboxId: follower.inboxId,
        endpoints: follower.endpoints,
      });
      const accept = new Accept({
        id: new URL(`/activities/${crypto.randomUUID()}`, origin),
        actor: actorUri(ctx),
        object: activity,
        to: follower.id,
      });
      await ctx.sendActivity({ identifier: IDENTIFIER }, follower, accept);
    } else if (activity instanceof Undo) {
      const object = await activity.getObject();
      if (object instanceof Follow && activity.actorId != null) followers.delete(activity.actorId.href);
    }
  })
  .onUnverifiedActivity((_ctx, activity, reason) => {
    const id = str(activity.id);
    unverified.push({
      id,
      type: activity.constructor.name,
      actor: str(activity.actorId),
      reason: JSON.parse(JSON.stringify(reason, (_k, v) => (v instanceof URL ? v.href : v instanceof Error ? String(v) : v))),
      signature: rawBodies.get(id)?.spec ?? null,
    });
  })
  .onError((_ctx, error) => {
    inboxErrors.push({ error: String(error), stack: error?.stack ?? null });
  });

// ---------------------------------------------------------------------------------------------
// JSON-LD without network: only the contexts Fedify bundles.

function offlineLoader(requested) {
  return async (url) => {
    requested.push(url);
    const document = preloadedContexts[url];
    if (document == null) {
      offlineViolations.push(url);
      throw new Error(`context not bundled, and this test has no network: ${url}`);
    }
    return { contextUrl: null, documentUrl: url, document };
  };
}

// ---------------------------------------------------------------------------------------------
// Control API

const context = () => federation.createContext(new URL(origin), undefined);

function newId() {
  return crypto.randomUUID().replace(/-/g, "").slice(0, 16);
}

async function sendToFollowers(ctx, activity) {
  await ctx.sendActivity({ identifier: IDENTIFIER }, "followers", activity, {
    immediate: true,
    preferSharedInbox: true,
  });
}

function noteFor(ctx, key, content, extra = {}) {
  return new Note({
    id: ctx.getObjectUri(Note, { id: key }),
    attribution: actorUri(ctx),
    content,
    published: extra.published ?? Temporal.Now.instant(),
    updated: extra.updated ?? null,
    tos: extra.tos ?? [PUBLIC_COLLECTION],
    ccs: extra.ccs ?? [ctx.getFollowersUri(IDENTIFIER)],
    replyTarget: extra.replyTarget ?? null,
    tags: extra.tags ?? [],
    url: ctx.getObjectUri(Note, { id: key }),
  });
}

const control = {
  ...proofRoutes({ context: () => context(), describe, watchLog }),
  "GET /control/health": async () => ({ actor: actorUri(context()).href, origin }),
  "GET /control/received": async () => received,
  "GET /control/unverified": async () => unverified,
  "GET /control/errors": async () => inboxErrors,
  "GET /control/incoming": async () => incoming,
  "GET /control/outgoing": async () => outgoing,
  "GET /control/offline-violations": async () => offlineViolations,
  "GET /control/log": async () => logRecords,
  "GET /control/followers": async () => [...followers.keys()],

  "POST /control/follow": async ({ actor_url }) => {
    const ctx = context();
    const target = await ctx.lookupObject(actor_url);
    if (!isActor(target)) throw new Error(`not an actor: ${actor_url} (${target?.constructor.name})`);
    const follow = new Follow({
      id: new URL(`/activities/${newId()}`, origin),
      actor: actorUri(ctx),
      object: target.id,
      to: target.id,
    });
    await ctx.sendActivity({ identifier: IDENTIFIER }, target, follow, { immediate: true });
    return { id: follow.id.href, target: await describe(target) };
  },

  "POST /control/publish": async ({ content }) => {
    const ctx = context();
    const key = newId();
    const note = noteFor(ctx, key, content);
    const create = new Create({
      id: new URL(`/activities/${newId()}`, origin),
      actor: actorUri(ctx),
      object: note,
      to: PUBLIC_COLLECTION,
      ccs: [ctx.getFollowersUri(IDENTIFIER)],
      published: note.published,
    });
    notes.set(key, { note, create });
    await sendToFollowers(ctx, create);
    return { id: note.id.href, key, activity: create.id.href };
  },

  "POST /control/update": async ({ id, content }) => {
    const ctx = context();
    const key = id.split("/").pop();
    const previous = notes.get(key);
    if (previous == null) throw new Error(`no note ${id}`);
    const note = noteFor(ctx, key, content, {
      published: previous.note.published,
      updated: Temporal.Now.instant(),
    });
    notes.set(key, { note, create: previous.create });
    const update = new Update({
      id: new URL(`/activities/${newId()}`, origin),
      actor: actorUri(ctx),
      object: note,
      to: PUBLIC_COLLECTION,
      ccs: [ctx.getFollowersUri(IDENTIFIER)],
      updated: note.updated,
    });
    await sendToFollowers(ctx, update);
    return { id: note.id.href, activity: update.id.href, updated: String(note.updated) };
  },

  "POST /control/delete": async ({ id, to }) => {
    const ctx = context();
    const key = id.split("/").pop();
    notes.delete(key);
    const del = new Delete({
      id: new URL(`/activities/${newId()}`, origin),
      actor: actorUri(ctx),
      object: new Tombstone({ id: new URL(id), deleted: Temporal.Now.instant() }),
      tos: [PUBLIC_COLLECTION, ...(to ? [new URL(to)] : [])],
      ccs: [ctx.getFollowersUri(IDENTIFIER)],
    });
    if (to) {
      // To one actor (say, the one a reply was addressed to) rather than to the followers.
      const target = await ctx.lookupObject(to);
      if (!isActor(target)) throw new Error(`not an actor: ${to}`);
      await ctx.sendActivity({ identifier: IDENTIFIER }, target, del, {
        immediate: true,
        preferSharedInbox: false,
      });
    } else {
      await sendToFollowers(ctx, del);
    }
    return { id, activity: del.id.href };
  },

  "POST /control/reply": async ({ in_reply_to, mention_actor, content }) => {
    const ctx = context();
    const target = await ctx.lookupObject(mention_actor);
    if (!isActor(target)) throw new Error(`not an actor: ${mention_actor}`);
    const handle = `@${target.preferredUsername}@${new URL(target.id).host}`;
    const key = newId();
    const note = noteFor(
      ctx,
      key,
      content ?? `<p><span class="h-card"><a href="${target.id.href}" class="u-url mention">${handle}</a></span> Merci !</p>`,
      {
        tos: [target.id, PUBLIC_COLLECTION],
        ccs: [ctx.getFollowersUri(IDENTIFIER)],
        replyTarget: new URL(in_reply_to),
        tags: [new Mention({ href: target.id, name: handle })],
      },
    );
    const create = new Create({
      id: new URL(`/activities/${newId()}`, origin),
      actor: actorUri(ctx),
      object: note,
      tos: [target.id, PUBLIC_COLLECTION],
      ccs: [ctx.getFollowersUri(IDENTIFIER)],
      published: note.published,
    });
    notes.set(key, { note, create });
    await ctx.sendActivity({ identifier: IDENTIFIER }, target, create, {
      immediate: true,
      preferSharedInbox: false,
    });
    return { id: note.id.href, activity: create.id.href, mention: handle };
  },

  // A Like or an Announce of `object` sent to `actor_url`'s inbox; `undo`: the Undo of the
  // reaction whose id is given instead.
  "POST /control/react": async ({ type, object, actor_url, undo }) => {
    const ctx = context();
    const target = await ctx.lookupObject(actor_url);
    if (!isActor(target)) throw new Error(`not an actor: ${actor_url}`);
    const Kind = type === "Like" ? Like : Announce;
    const reaction = new Kind({
      id: undo ? new URL(undo) : new URL(`/activities/${newId()}`, origin),
      actor: actorUri(ctx),
      object: new URL(object),
      to: PUBLIC_COLLECTION,
      ccs: [target.id],
    });
    const activity = undo
      ? new Undo({
        id: new URL(`/activities/${newId()}`, origin),
        actor: actorUri(ctx),
        object: reaction,
        to: PUBLIC_COLLECTION,
      })
      : reaction;
    await ctx.sendActivity({ identifier: IDENTIFIER }, target, activity, {
      immediate: true,
      preferSharedInbox: false,
    });
    return { id: reaction.id.href, activity: activity.id.href };
  },

  "POST /control/send-raw": async ({ inbox, body, content, tamper = "none", spec = "draft-cavage" }) => {
    const ctx = context();
    const actor = actorUri(ctx).href;
    const noteId = `${origin}/notes/${newId()}`;
    const activity = body ?? {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${origin}/activities/${newId()}`,
      type: "Create",
      actor,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      object: {
        id: noteId,
        type: "Note",
        attributedTo: actor,
        content: content ?? "<p>raw</p>",
        published: new Date().toISOString(),
        to: ["https://www.w3.org/ns/activitystreams#Public"],
      },
    };
    const text = typeof activity === "string" ? activity : JSON.stringify(activity);
    const unsigned = new Request(inbox, {
      method: "POST",
      headers: { "Content-Type": "application/activity+json", Accept: "application/activity+json" },
      body: text,
    });
    const keyId = new URL(`${actor}#main-key`);
    const options = { spec: spec === "rfc9421" ? "rfc9421" : "draft-cavage-http-signatures-12" };
    const privateKey = tamper === "key"
      ? (await generateCryptoKeyPair("RSASSA-PKCS1-v1_5")).privateKey // not the key of keyId
      : rsaKeys.privateKey;
    let signed = await signRequest(unsigned, privateKey, keyId, options);
    if (tamper === "body") {
      const tampered = text.replace(/<p>/, "<p>TAMPERED ");
      if (tampered === text) throw new Error("nothing to tamper with in the body");
      signed = new Request(signed.url, { method: "POST", headers: signed.headers, body: tampered });
    }
    const response = await fetch(signed);
    return {
      status: response.status,
      body: await response.text(),
      activity_id: typeof activity === "object" ? activity.id : null,
      object_id: typeof activity === "object" ? activity.object?.id ?? null : null,
    };
  },

  "POST /control/fetch": async ({ url, signed = true }) => {
    // A GET as Fedify makes it: with `signed`, through the actor's authenticated document
    // loader (HTTP signature, RFC 9421 first with a draft-cavage fallback).
    const ctx = context();
    const loader = signed ? await ctx.getDocumentLoader({ identifier: IDENTIFIER }) : ctx.documentLoader;
    try {
      const { document } = await loader(url);
      return { ok: true, document };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  },

  "POST /control/expand": async ({ url }) => {
    const response = await fetch(url, { headers: { Accept: "application/activity+json" } });
    const status = response.status;
    const document = await response.json();
    const requested = [];
    const refusedBefore = offlineViolations.length;
    let expanded = null;
    let expandError = null;
    try {
      expanded = await jsonld.expand(document, { documentLoader: offlineLoader(requested) });
    } catch (error) {
      expandError = String(error);
    }
    const loader = offlineLoader(requested);
    let parsed = null;
    let parseError = null;
    try {
      const object = await ApObject.fromJsonLd(document, { documentLoader: loader, contextLoader: loader });
      parsed = await describe(object, { documentLoader: loader, contextLoader: loader });
    } catch (error) {
      parseError = String(error);
    }
    return {
      status,
      content_type: response.headers.get("content-type"),
      document,
      expanded,
      expand_error: expandError,
      parsed,
      parse_error: parseError,
      contexts_requested: [...new Set(requested)],
      contexts_refused: offlineViolations.slice(refusedBefore),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// HTTP: the control API, and everything else to Fedify.

function json(res, status, value) {
  const body = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

server.on("request", async (req, res) => {
  const url = new URL(req.url, origin);
  const seen = { method: req.method, path: url.pathname, status: null, spec: null };
  try {
    const body = req.method === "GET" || req.method === "HEAD" ? null : await readBody(req);
    if (url.pathname.startsWith("/control/")) {
      const handler = control[`${req.method} ${url.pathname}`];
      if (handler == null) return json(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
      try {
        const input = body && body.length > 0 ? JSON.parse(body.toString("utf8")) : {};
        return json(res, 200, await handler(input));
      } catch (error) {
        process.stderr.write(`control ${url.pathname} failed: ${error?.stack ?? error}\n`);
        return json(res, 500, { error: String(error), cause: error?.cause ? String(error.cause) : null });
      }
    }
    incoming.push(seen);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value != null) headers.set(name, value);
    }
    seen.spec = signatureSpec(headers);
    if (body != null && body.length > 0) {
      try {
        const parsed = JSON.parse(body.toString("utf8"));
        if (typeof parsed?.id === "string" && !rawBodies.has(parsed.id)) {
          rawBodies.set(parsed.id, { json: parsed, spec: seen.spec, key_id: keyIdOf(headers) });
        }
        seen.activity_id = parsed?.id ?? null;
        seen.activity_type = parsed?.type ?? null;
      } catch {
        // not JSON: Fedify will say so
      }
    }
    const request = new Request(url, { method: req.method, headers, body });
    const response = await federation.fetch(request, {
      contextData: undefined,
      onNotFound: () => new Response("Not found", { status: 404 }),
      onNotAcceptable: () => new Response("Not acceptable", { status: 406 }),
    });
    seen.status = response.status;
    const out = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(out);
  } catch (error) {
    seen.status = 500;
    seen.error = String(error);
    process.stderr.write(`request ${req.method} ${req.url} failed: ${error?.stack ?? error}\n`);
    if (!res.headersSent) json(res, 500, { error: String(error) });
    else res.end();
  }
});

for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));

process.stdout.write(`${JSON.stringify({ port, actor: `${origin}/users/${IDENTIFIER}` })}\n`);
