import type { MeResponse } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Security check finding 4 through the real server: a name with a bidi override, NUL or another
// control or format character is refused with `name_invalid` and nothing is stored; an accepted name
// is stored in NFC.
describe("finding 4: names at the server", () => {
  let t: TestServer;
  let p: Practice;
  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
  });
  afterAll(() => t.stop());

  const me = async (token: string) => (await t.call<MeResponse>("GET", "/v1/me", { token })).body;

  it.each([
    ["bidi override", "Dr Rowan\u202e"],
    ["NUL", "Dr\u0000Rowan"],
    ["zero-width space", "Dr\u200bRowan"],
    ["escape", "\u001b[31mDr Rowan"],
  ])("a display name with a %s is refused and changes nothing", async (_, displayName) => {
    const token = p.patients[0]?.token ?? "";
    const before = await me(token);
    const r = await t.call<{ code: string }>("PATCH", "/v1/me/settings", { token, body: { displayName } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("name_invalid");
    expect(await me(token)).toEqual(before);
  });

  it("a device name with a bidi override is refused", async () => {
    const token = p.patients[0]?.token ?? "";
    const id = (await me(token)).deviceId;
    const r = await t.call<{ code: string }>("PATCH", `/v1/devices/${id}`, {
      token,
      body: { name: "\u202eenohp s'nworR rD" },
    });
    expect(r.body.code).toBe("name_invalid");
    const devices = await t.call<{ deviceId: string; name: string }[]>("GET", "/v1/devices", { token });
    expect(devices.body.find((d) => d.deviceId === id)?.name).toBe("test");
  });

  it("an invite accepted with a spoofing name creates no account", async () => {
    const inv = await t.call<{ token: string }>("POST", "/v1/invites", {
      token: p.therapist.token,
      body: { role: "patient" },
    });
    const r = await t.call<{ code: string }>("POST", "/v1/invites/accept", {
      body: {
        token: inv.body.token,
        login: "spoofer",
        displayName: "Dr Rowan\u2066",
        password: "correct horse battery staple",
        deviceName: "test",
      },
    });
    expect(r.body.code).toBe("name_invalid");
    const again = await t.call<{ code: string }>("POST", "/v1/auth/login", {
      body: { login: "spoofer", password: "correct horse battery staple", deviceName: "test" },
    });
    expect(again.status).toBe(401);
  });

  it("an accepted name is stored in NFC", async () => {
    const token = p.patients[0]?.token ?? "";
    const r = await t.call<MeResponse>("PATCH", "/v1/me/settings", {
      token,
      body: { displayName: "Zoe\u0301" },
    });
    expect(r.status).toBe(200);
    expect((await me(token)).displayName).toBe("Zoé");
  });
});
