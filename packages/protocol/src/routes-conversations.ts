import { z } from "zod";
import { BlobIdSchema, BlobUploadResponseSchema } from "./blobs.ts";
import {
  ConversationSummarySchema,
  CreateConversationBodySchema,
  GroupStateResponseSchema,
  HistoryQuerySchema,
  HistoryResponseSchema,
} from "./http.ts";
import { ConversationIdSchema } from "./ids.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;

const ConversationParams = z.strictObject({ id: ConversationIdSchema });

/** Conversations, their message log and MLS group state: part of {@link ROUTES}. */
export const CONVERSATION_ROUTES = {
  conversations: route({
    method: "GET",
    path: "/v1/conversations",
    auth: "session",
    response: z.array(ConversationSummarySchema),
    summary: "My conversations with their members, last seq and unread count.",
  }),
  createGroup: route({
    method: "POST",
    path: "/v1/conversations",
    auth: "session",
    body: CreateConversationBodySchema,
    response: ConversationSummarySchema,
    summary: "A therapist opens a group with some of their patients.",
  }),
  history: route({
    method: "GET",
    path: "/v1/conversations/:id/messages",
    auth: "session",
    params: ConversationParams,
    query: HistoryQuerySchema,
    response: HistoryResponseSchema,
    summary: "Up to `limit` (max 500) log entries with seq > `after`; audited.",
  }),
  groupState: route({
    method: "GET",
    path: "/v1/conversations/:id/group",
    auth: "session",
    params: ConversationParams,
    response: GroupStateResponseSchema,
    summary: "The conversation's MLS epoch and latest group info.",
  }),
} as const satisfies Record<string, RouteSpec>;

/** Encrypted attachments, uploaded to a conversation: part of {@link ROUTES}. */
export const BLOB_ROUTES = {
  uploadBlob: route({
    method: "POST",
    path: "/v1/conversations/:id/blobs",
    auth: "session",
    limit: "blob_upload",
    params: ConversationParams,
    body: "binary",
    response: BlobUploadResponseSchema,
    summary: "Uploads an encrypted attachment (streamed; at most the server's blob limit).",
  }),
  downloadBlob: route({
    method: "GET",
    path: "/v1/blobs/:id",
    auth: "session",
    params: z.strictObject({ id: BlobIdSchema }),
    response: "binary",
    summary: "Downloads an encrypted attachment (members of its conversation only; audited).",
  }),
} as const satisfies Record<string, RouteSpec>;
