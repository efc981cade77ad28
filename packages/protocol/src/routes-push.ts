import {
  PushKeyResponseSchema,
  PushRefParamsSchema,
  PushRefResponseSchema,
  PushStatusResponseSchema,
  PushSubscribeBodySchema,
} from "./push.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;

/** Web Push: the server's key, this device's subscription, and what a push refers to. Part of {@link ROUTES}. */
export const PUSH_ROUTES = {
  pushKey: route({
    method: "GET",
    path: "/v1/push/key",
    auth: "session",
    response: PushKeyResponseSchema,
    summary: "The server's VAPID public key, to subscribe to Web Push with.",
  }),
  pushStatus: route({
    method: "GET",
    path: "/v1/push/subscription",
    auth: "session",
    response: PushStatusResponseSchema,
    summary: "Whether this device holds a push subscription on the server.",
  }),
  pushSubscribe: route({
    method: "PUT",
    path: "/v1/push/subscription",
    auth: "session",
    body: PushSubscribeBodySchema,
    response: PushStatusResponseSchema,
    summary: "Sets this device's push subscription (replaces its earlier one).",
  }),
  pushUnsubscribe: route({
    method: "DELETE",
    path: "/v1/push/subscription",
    auth: "session",
    response: "empty",
    summary: "Removes this device's push subscription.",
  }),
  pushRef: route({
    method: "GET",
    path: "/v1/push/refs/:ref",
    auth: "session",
    params: PushRefParamsSchema,
    response: PushRefResponseSchema,
    summary: "The conversation a push sent to this device refers to.",
  }),
} as const satisfies Record<string, RouteSpec>;
