import type { AutoReply, OfficeHours } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import { type MakeStorage, seedConversations, T1, T2, useStorage } from "./storage-fixtures.ts";

const HOURS: OfficeHours = {
  timeZone: "Europe/Berlin",
  weekly: [
    { day: 1, start: "09:00", end: "17:00" },
    { day: 3, start: "13:00", end: "19:30" },
  ],
  away: [{ from: "2026-12-24", to: "2027-01-01" }],
  awayText: "I read messages on working days.",
  typicalReplyHours: 24,
  autoReply: true,
};

const reply = (id: string, over: Partial<AutoReply> = {}): AutoReply =>
  ({
    id: `arp_${id.padEnd(22, "x")}`,
    conversationId: "c1",
    therapistId: "alice",
    afterSeq: 3,
    at: T1,
    nextOpenAt: "2026-03-30T07:00:00.000Z",
    typicalReplyHours: 24,
    awayText: null,
    ...over,
  }) as AutoReply;

/** The conformance suite of the office-hours port (`OfficeHoursStore`). */
export function runOfficeHoursSuite(makeStorage: MakeStorage) {
  describe("office-hours store", () => {
    const storage = useStorage(makeStorage);

    it("keeps a therapist's hours as set, and replaces them", async () => {
      await seedConversations(storage);
      expect(await storage.officeHours.getHours("alice")).toBeUndefined();
      expect(await storage.officeHours.anyHours()).toBe(false);
      await storage.officeHours.putHours("alice", HOURS, T1);
      expect(await storage.officeHours.getHours("alice")).toEqual(HOURS);
      expect(await storage.officeHours.anyHours()).toBe(true);
      const changed = { ...HOURS, weekly: [], awayText: null, autoReply: false };
      await storage.officeHours.putHours("alice", changed, T2);
      expect(await storage.officeHours.getHours("alice")).toEqual(changed);
    });

    it("lists the hours of a conversation's therapists only", async () => {
      await seedConversations(storage);
      await storage.officeHours.putHours("alice", HOURS, T1);
      // bob is a patient: whatever he stored is not a therapist's office hours.
      await storage.officeHours.putHours("bob", { ...HOURS, typicalReplyHours: 1 }, T1);
      expect(await storage.officeHours.therapistHours("c1")).toEqual([{ userId: "alice", hours: HOURS }]);
      expect(await storage.officeHours.therapistHours("nope")).toEqual([]);
    });

    it("records one automatic reply per conversation, therapist and closed period", async () => {
      await seedConversations(storage);
      const period = "2026-03-30T07:00:00.000Z";
      expect(await storage.officeHours.addAutoReply(reply("a"), period)).toBe(true);
      // The same closed period again (a later message, another node, after a restart): refused.
      expect(await storage.officeHours.addAutoReply(reply("b", { afterSeq: 4 }), period)).toBe(false);
      // Another period, and another conversation's same period, each get their own.
      const later = "2026-04-06T07:00:00.000Z";
      expect(
        await storage.officeHours.addAutoReply(reply("c", { afterSeq: 9, nextOpenAt: later }), later),
      ).toBe(true);
      expect(
        await storage.officeHours.addAutoReply(reply("d", { conversationId: "c2" } as never), period),
      ).toBe(true);
      const listed = await storage.officeHours.listAutoReplies("c1", 10);
      expect(listed.map((r) => r.id)).toEqual([reply("a").id, reply("c").id]);
      expect(listed[0]).toEqual(reply("a"));
      expect(await storage.officeHours.listAutoReplies("c1", 1)).toHaveLength(1);
    });
  });
}
