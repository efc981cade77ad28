import { CallSettingsSchema, TurnCredentialsResponseSchema } from "./calls.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;

/** Voice and video calls (TURN credentials, call preferences): part of {@link ROUTES}. */
export const CALL_ROUTES = {
  turnCredentials: route({
    method: "GET",
    path: "/v1/calls/turn",
    auth: "session",
    response: TurnCredentialsResponseSchema,
    summary:
      "Short-lived TURN credentials (coturn REST scheme), the ICE servers, and the relay-only setting.",
  }),
  callSettings: route({
    method: "GET",
    path: "/v1/calls/settings",
    auth: "session",
    response: CallSettingsSchema,
    summary: "The user's call preferences (relay only: on by default for patients).",
  }),
  updateCallSettings: route({
    method: "PUT",
    path: "/v1/calls/settings",
    auth: "session",
    body: CallSettingsSchema,
    response: CallSettingsSchema,
    summary: "Changes the user's call preferences.",
  }),
} as const satisfies Record<string, RouteSpec>;
