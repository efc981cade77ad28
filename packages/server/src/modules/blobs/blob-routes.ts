import { Readable } from "node:stream";
import { BLOB_CONTENT_TYPE } from "@hearth/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { HttpRefusal, replyError } from "../../http/reply-error.ts";
import { bearer } from "../../http/routes.ts";
import { validate } from "../../http/validate.ts";
import type { AuthService, Session } from "../auth/auth-service.ts";
import type { BlobService } from "./blob-service.ts";
import { parseContentLength } from "./content-length.ts";

const ParamId = z.strictObject({ id: z.string().min(1).max(64) });
/** Bytes of a refused upload read and dropped before the connection is cut. */
const DISCARD_LIMIT = 1024 * 1024;

/**
 * `POST /v1/conversations/:id/blobs` (upload, `application/octet-stream`, streamed to the blob
 * store) and `GET /v1/blobs/:id` (download, streamed). Registered in a scope of their own so the
 * raw-body parser applies to these routes only; every other route keeps the JSON body limit.
 */
export async function registerBlobRoutes(
  app: FastifyInstance,
  d: { auth: AuthService; blobs: BlobService; rateLimitPerMinute: number },
) {
  const session = async (req: FastifyRequest): Promise<Session> => {
    const s = await d.auth.authenticate(bearer(req));
    if (!s) throw new HttpRefusal(bearer(req) ? "token_invalid" : "unauthenticated");
    return s;
  };
  const limited = { config: { rateLimit: { max: d.rateLimitPerMinute, timeWindow: "1 minute" } } };

  /**
   * Refuses an upload before or while its body arrives: the coded answer, then the connection
   * closes, so an oversized or unauthorized upload is not stored and costs at most DISCARD_LIMIT
   * more bytes of reading.
   */
  const refuseUpload = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
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
  };

  await app.register(async (scope) => {
    // Leave the body unread: the handler streams `req.raw` itself, so it is never buffered whole.
    scope.addContentTypeParser(BLOB_CONTENT_TYPE, (_req, _payload, done) => done(null, undefined));

    scope.post("/v1/conversations/:id/blobs", limited, async (req, reply) => {
      const declared = parseContentLength(req.headers["content-length"]);
      const type = req.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
      try {
        const s = await session(req);
        const { id } = validate(ParamId, req.params);
        if (type !== BLOB_CONTENT_TYPE || declared === "invalid") throw new HttpRefusal("bad_request");
        // `destroyOnReturn: false`: stopping early (too large) must not destroy the socket before
        // the 413 is written.
        const body = req.raw.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
        return await d.blobs.upload(s, id, body, declared);
      } catch (err) {
        return refuseUpload(req, reply, err);
      }
    });

    // No automatic HEAD route: it would open (and audit) a read whose bytes are never sent.
    scope.get("/v1/blobs/:id", { exposeHeadRoute: false }, async (req, reply) => {
      const s = await session(req);
      const { id } = validate(ParamId, req.params);
      const blob = await d.blobs.open(s, id);
      const stream = blob.stream instanceof Readable ? blob.stream : Readable.from(blob.stream);
      return reply
        .header("content-type", BLOB_CONTENT_TYPE)
        .header("content-length", String(blob.size))
        .header("cache-control", "no-store")
        .header("content-disposition", "attachment")
        .send(stream);
    });
  });
}
