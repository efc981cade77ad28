import { Readable } from "node:stream";
import { BLOB_CONTENT_TYPE } from "@hearth/protocol";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { defineRoute } from "../../http/define-route.ts";
import { HttpRefusal, replyError } from "../../http/reply-error.ts";
import type { BlobService } from "./blob-service.ts";
import { parseContentLength } from "./content-length.ts";

/** Bytes of a refused upload read and dropped before the connection is cut. */
const DISCARD_LIMIT = 1024 * 1024;

/**
 * Refuses an upload before or while its body arrives: the coded answer, then the connection
 * closes, so an oversized or unauthorized upload is not stored and costs at most DISCARD_LIMIT
 * more bytes of reading.
 */
function refuseUpload(err: FastifyError | HttpRefusal, req: FastifyRequest, reply: FastifyReply) {
  if (!(err instanceof HttpRefusal)) throw err;
  // Once the answer is out, discard what the client is still sending so that it reads the answer
  // and the socket can close (a paused request would hold it, and server shutdown, open forever);
  // past DISCARD_LIMIT bytes, cut the connection instead of reading an endless body.
  reply.raw.once("finish", () => {
    let discarded = 0;
    req.raw.on("data", (chunk: Uint8Array) => {
      discarded += chunk.byteLength;
      if (discarded > DISCARD_LIMIT) req.raw.socket.destroy();
    });
    req.raw.resume();
  });
  return replyError(reply.header("connection", "close"), err.code, err.path);
}

/**
 * `POST /v1/conversations/:id/blobs` (upload, `application/octet-stream`, streamed to the blob
 * store) and `GET /v1/blobs/:id` (download, streamed). A plugin of their own, so the raw-body parser
 * applies to these routes only; every other route keeps the JSON body limit.
 */
export async function blobRoutes(app: FastifyInstance, d: { blobs: BlobService }) {
  // Leave the body unread: the handler streams `req.raw` itself, so it is never buffered whole.
  app.addContentTypeParser(BLOB_CONTENT_TYPE, (_req, _payload, done) => done(null, undefined));

  defineRoute(
    app,
    "uploadBlob",
    async ({ session, params, req }) => {
      const declared = parseContentLength(req.headers["content-length"]);
      const type = req.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
      if (type !== BLOB_CONTENT_TYPE || declared === "invalid") throw new HttpRefusal("bad_request");
      // `destroyOnReturn: false`: stopping early (too large) must not destroy the socket before
      // the 413 is written.
      const body = req.raw.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
      return d.blobs.upload(session, params.id, body, declared);
    },
    // Every refusal (authentication, parameters, size) drains or cuts the body it did not read.
    { errorHandler: refuseUpload },
  );

  defineRoute(
    app,
    "downloadBlob",
    async ({ session, params, reply }) => {
      const blob = await d.blobs.open(session, params.id);
      const stream = blob.stream instanceof Readable ? blob.stream : Readable.from(blob.stream);
      return reply
        .header("content-type", BLOB_CONTENT_TYPE)
        .header("content-length", String(blob.size))
        .header("cache-control", "no-store")
        .header("content-disposition", "attachment")
        .send(stream);
    },
    // No automatic HEAD route: it would open (and audit) a read whose bytes are never sent.
    { exposeHeadRoute: false },
  );
}
