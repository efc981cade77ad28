import type { ClientFrameInput, ServerFrame } from "./frames.ts";

/** One server frame type, e.g. `ServerFrameOf<"ack">`. */
export type ServerFrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;
/** One client frame type as the client writes it, e.g. `ClientFrameOf<"send">`. */
export type ClientFrameOf<T extends ClientFrameInput["type"]> = Extract<ClientFrameInput, { type: T }>;

/**
 * The one place a server frame becomes text. Its parameter is the protocol's `ServerFrame` union, so
 * a frame that does not match the schema (a missing field, an extra one, a plain string where a
 * branded id belongs) fails to compile on the server; the client validates the same schema.
 *
 * @example
 * ws.send(encodeServerFrame({ type: "pong", id: frame.id }));
 */
export function encodeServerFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** The one place a client frame becomes text; typed by the protocol's `ClientFrame` input union. */
export function encodeClientFrame(frame: ClientFrameInput): string {
  return JSON.stringify(frame);
}
