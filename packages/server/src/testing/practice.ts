import type { Role, SessionResponse } from "@hearth/protocol";
import { newId } from "@hearth/protocol";
import argon2 from "argon2";
import { FAST_ARGON2, type TestServer } from "./test-server.ts";

/** A practice with an admin, one therapist and `patients` patients, each with a 1:1 with the therapist. */
export interface Practice {
  admin: SessionResponse;
  therapist: SessionResponse;
  patients: SessionResponse[];
}

let counter = 0;
const PASSWORD = "correct horse battery staple";

/** Signs up a user through a real invite. */
export async function joinByInvite(
  t: TestServer,
  inviterToken: string,
  role: Role,
  name = `${role}${++counter}`,
) {
  const inv = await t.call<{ token: string }>("POST", "/v1/invites", { token: inviterToken, body: { role } });
  if (inv.status !== 200) throw new Error(`invite failed: ${inv.status} ${JSON.stringify(inv.body)}`);
  const r = await t.call<SessionResponse>("POST", "/v1/invites/accept", {
    body: {
      token: inv.body.token,
      login: `${name.replace(/[^a-z0-9]/gi, "")}-${counter}-${Date.now()}`.toLowerCase(),
      displayName: name,
      password: PASSWORD,
      deviceName: "test",
    },
  });
  if (r.status !== 200) throw new Error(`accept failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** First-run setup, then a therapist and patients, all through the real HTTP API. */
export async function makePractice(t: TestServer, patients = 1): Promise<Practice> {
  const setupToken = await t.server.prepareSetup();
  if (!setupToken) throw new Error("server already set up");
  const admin = await t.call<SessionResponse>("POST", "/v1/setup", {
    body: {
      setupToken,
      practiceName: "Quiet Harbour Practice",
      login: `admin${++counter}`,
      displayName: "Admin",
      password: PASSWORD,
      deviceName: "test",
    },
  });
  if (admin.status !== 200) throw new Error(`setup failed: ${admin.status} ${JSON.stringify(admin.body)}`);
  const therapist = await joinByInvite(t, admin.body.token, "therapist", "Dr Rowan");
  const ps: SessionResponse[] = [];
  for (let i = 0; i < patients; i++) ps.push(await joinByInvite(t, therapist.token, "patient", `Robin${i}`));
  return { admin: admin.body, therapist, patients: ps };
}

/**
 * A therapist of a second practice on the same server, created through the auth store (setup is one-time
 * by design), signed in through the real login endpoint.
 */
export async function otherPracticeTherapist(t: TestServer, login: string): Promise<SessionResponse> {
  const store = t.server.storage.auth;
  const now = new Date().toISOString();
  const prc = newId("prc");
  await store.createPractice({ id: prc, name: "Other practice", createdAt: now });
  await store.createUser({
    id: newId("usr"),
    practiceId: prc,
    role: "therapist",
    login,
    displayName: "Elsewhere",
    email: null,
    passwordHash: await argon2.hash(PASSWORD, {
      type: argon2.argon2id,
      ...FAST_ARGON2,
    }),
    showPresence: true,
    failedLogins: 0,
    lockedUntil: null,
    createdAt: now,
  });
  const r = await t.call<SessionResponse>("POST", "/v1/auth/login", {
    body: { login, password: PASSWORD, deviceName: "x" },
  });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.body;
}

/** Signs in an additional device of an existing user. */
export async function login(t: TestServer, loginName: string, deviceName = "second") {
  const r = await t.call<SessionResponse>("POST", "/v1/auth/login", {
    body: { login: loginName, password: PASSWORD, deviceName },
  });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.body;
}
