import { describe, expect, it } from "vitest";
import type { CheckinPlanRecord } from "../../src/modules/checkins/checkin-store.ts";
import { type MakeStorage, seedConversations, T1, T2, useStorage } from "./storage-fixtures.ts";

/**
 * The conformance suite of the check-ins port (`CheckinStore`).
 */
export function runCheckinSuite(makeStorage: MakeStorage) {
  describe("check-in store", () => {
    const storage = useStorage(makeStorage);

    const plan = (
      id: string,
      conversationId: string,
      patientId: string,
      over: Partial<CheckinPlanRecord> = {},
    ) =>
      ({
        id,
        conversationId,
        patientId,
        createdBy: "alice",
        timeZone: "Europe/Berlin",
        time: "20:00",
        createdAt: T1,
        ...over,
      }) as CheckinPlanRecord;

    it("stores plans, with and without weekdays, and lists them per conversation and per patient", async () => {
      await seedConversations(storage);
      await storage.checkins.createPlan(plan("p1", "c1", "bob"));
      await storage.checkins.createPlan(plan("p2", "c1", "bob", { days: [1, 3, 5], createdAt: T2 }));
      await storage.checkins.createPlan(plan("p3", "c2", "carol", { timeZone: "America/New_York" }));
      expect(await storage.checkins.getPlan("p2")).toEqual(
        plan("p2", "c1", "bob", { days: [1, 3, 5], createdAt: T2 }),
      );
      expect(await storage.checkins.getPlan("p1")).toEqual(plan("p1", "c1", "bob"));
      expect((await storage.checkins.listPlansForConversation("c1")).map((p) => p.id)).toEqual(["p1", "p2"]);
      expect((await storage.checkins.listPlansForPatient("carol")).map((p) => p.id)).toEqual(["p3"]);
      expect(await storage.checkins.listPlansForPatient("alice")).toEqual([]);
    });

    it("deletes a plan once", async () => {
      await seedConversations(storage);
      await storage.checkins.createPlan(plan("p1", "c1", "bob"));
      expect(await storage.checkins.deletePlan("p1")).toBe(true);
      expect(await storage.checkins.deletePlan("p1")).toBe(false);
      expect(await storage.checkins.getPlan("p1")).toBeUndefined();
    });

    it("records each due reminder once, per plan, and forgets them with the plan", async () => {
      await seedConversations(storage);
      await storage.checkins.createPlan(plan("p1", "c1", "bob"));
      await storage.checkins.createPlan(plan("p2", "c1", "bob"));
      expect(await storage.checkins.claimReminder("p1", T1, T1)).toBe(true);
      expect(await storage.checkins.claimReminder("p1", T1, T2)).toBe(false);
      expect(await storage.checkins.claimReminder("p1", T2, T2)).toBe(true);
      expect(await storage.checkins.claimReminder("p2", T1, T1)).toBe(true);
      expect(await storage.checkins.deletePlan("p1")).toBe(true);
      expect(await storage.checkins.claimReminder("p2", T1, T2)).toBe(false);
    });
  });
}
