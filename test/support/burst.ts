import { HearthApi, type SentAck } from "@hearth/client";
import type { SessionResponse } from "@hearth/protocol";
import type { TestClient } from "./sdk.ts";

export const PASSWORD = "correct horse battery staple";

/** Creates a practice through the real HTTP API: an admin, a therapist and `patients` patients. */
export async function signUpPractice(baseUrl: string, setupToken: string, patients: number) {
  const api = new HearthApi({ baseUrl });
  const admin = await api.setup({
    setupToken,
    practiceName: "Burst practice",
    login: "admin",
    displayName: "Admin",
    password: PASSWORD,
    deviceName: "d",
  });
  const join = async (inviter: SessionResponse, role: "therapist" | "patient", login: string) => {
    const inv = await new HearthApi({ baseUrl, token: inviter.token }).createInvite(role);
    return api.acceptInvite({
      token: inv.token,
      login,
      displayName: login,
      password: PASSWORD,
      deviceName: "d",
    });
  };
  const therapist = await join(admin, "therapist", "therapist");
  const list: SessionResponse[] = [];
  for (let i = 0; i < patients; i++) list.push(await join(therapist, "patient", `patient${i}`));
  return { admin, therapist, patients: list };
}

/**
 * Pipelined sends: client i sends `p{i}-{n}` into its own conversation (`sessions[i]`). Records every
 * ack as it arrives, so a test can tell what was acknowledged before a crash.
 */
export function burst(clients: TestClient[], sessions: SessionResponse[]) {
  const acked = new Map<string, SentAck>();
  const all: Promise<SentAck>[] = [];
  const sendRange = async (from: number, to: number) => {
    for (const [i, c] of clients.entries()) {
      const cid = sessions[i]!.conversationId!;
      for (let n = from; n < to; n++) {
        const { sent } = await c.client.send(cid, { text: `p${i}-${n}` });
        all.push(
          sent.then((ack) => {
            acked.set(ack.messageId, ack);
            return ack;
          }),
        );
      }
    }
  };
  return { acked, all, sendRange };
}

/** The texts `burst` sends for client `i`, in order. */
export const burstTexts = (i: number, count: number) => Array.from({ length: count }, (_, n) => `p${i}-${n}`);
