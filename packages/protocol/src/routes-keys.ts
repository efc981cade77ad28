import { z } from "zod";
import {
  ArchiveKeyBodySchema,
  ClaimKeyPackagesBodySchema,
  ClaimKeyPackagesResponseSchema,
  IdentityKeyBodySchema,
  KeyPackageCountResponseSchema,
  KeyPackagesBodySchema,
  TransferBodySchema,
  TransferIdSchema,
  TransferResponseSchema,
  UserKeysResponseSchema,
} from "./http.ts";
import { UserIdSchema } from "./ids.ts";
import type { RouteSpec } from "./routes.ts";

const route = <const R extends RouteSpec>(r: R): R => r;

/** Identity keys, MLS key packages and archive keys: part of {@link ROUTES}. */
export const KEY_ROUTES = {
  setIdentityKey: route({
    method: "PUT",
    path: "/v1/keys/identity",
    auth: "session",
    body: IdentityKeyBodySchema,
    response: "empty",
    summary: "Pins this user's identity public key (set once).",
  }),
  userKeys: route({
    method: "GET",
    path: "/v1/users/:id/keys",
    auth: "session",
    params: z.strictObject({ id: UserIdSchema }),
    response: UserKeysResponseSchema,
    summary: "A contact's pinned identity key, live devices and archive key record.",
  }),
  uploadKeyPackages: route({
    method: "POST",
    path: "/v1/keys/packages",
    auth: "session",
    body: KeyPackagesBodySchema,
    response: KeyPackageCountResponseSchema,
    summary: "Uploads this device's one-time MLS key packages (and a last resort).",
  }),
  keyPackageCount: route({
    method: "GET",
    path: "/v1/keys/packages/count",
    auth: "session",
    response: KeyPackageCountResponseSchema,
    summary: "How many of this device's one-time key packages are left.",
  }),
  claimKeyPackages: route({
    method: "POST",
    path: "/v1/keys/claim",
    auth: "session",
    body: ClaimKeyPackagesBodySchema,
    response: ClaimKeyPackagesResponseSchema,
    summary: "One key package for every live device of each user (contacts only).",
  }),
  setArchiveKey: route({
    method: "PUT",
    path: "/v1/keys/archive",
    auth: "session",
    body: ArchiveKeyBodySchema,
    response: "empty",
    summary: "Publishes this user's signed archive key record (replaces the old one).",
  }),
} as const satisfies Record<string, RouteSpec>;

/** Device-transfer mailboxes (moving keys to a new device of the same user): part of {@link ROUTES}. */
export const TRANSFER_ROUTES = {
  openTransfer: route({
    method: "POST",
    path: "/v1/transfers",
    auth: "session",
    limit: "auth",
    response: TransferResponseSchema,
    summary: "Opens a device-transfer mailbox for this user.",
  }),
  putTransfer: route({
    method: "PUT",
    path: "/v1/transfers/:id",
    auth: "session",
    limit: "auth",
    params: z.strictObject({ id: TransferIdSchema }),
    body: TransferBodySchema,
    response: "empty",
    summary: "Drops the sealed transfer message into the mailbox, once.",
  }),
  readTransfer: route({
    method: "GET",
    path: "/v1/transfers/:id",
    auth: "session",
    params: z.strictObject({ id: TransferIdSchema }),
    response: TransferResponseSchema,
    summary: "Reads the mailbox (`body` is null until the other device put it).",
  }),
  closeTransfer: route({
    method: "DELETE",
    path: "/v1/transfers/:id",
    auth: "session",
    params: z.strictObject({ id: TransferIdSchema }),
    response: "empty",
    summary: "Closes one of my mailboxes.",
  }),
} as const satisfies Record<string, RouteSpec>;
