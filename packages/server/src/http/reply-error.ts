import { ERRORS, type ErrorCode, errorBody } from "@hearth/protocol";
import type { FastifyReply } from "fastify";

/** Answers with a registered error code, its status and its safe message. */
export function replyError(reply: FastifyReply, code: ErrorCode, path?: string) {
  return reply.code(ERRORS[code].status).send(errorBody(code, path));
}

/** An expected refusal thrown from deep inside a handler; the error handler turns it into a reply. */
export class HttpRefusal extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  constructor(code: ErrorCode, path?: string) {
    super(code);
    this.code = code;
    this.path = path;
  }
}
