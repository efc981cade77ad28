import { DEFAULT_APPOINTMENT_SETTINGS } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import type { AppointmentRecord } from "../../src/modules/appointments/appointment-store.ts";
import {
  type MakeStorage,
  type Over,
  seedConversations,
  T0,
  T1,
  T2,
  useStorage,
} from "./storage-fixtures.ts";

/**
 * The conformance suite of the appointments port (`AppointmentStore`).
 */
export function runAppointmentSuite(makeStorage: MakeStorage) {
  describe("appointment store", () => {
    const storage = useStorage(makeStorage);

    const apt = (id: string, over: Over<AppointmentRecord> = {}) =>
      ({
        id,
        conversationId: "c1",
        organizerId: "alice",
        localStart: "2024-01-05T10:00",
        timeZone: "Europe/Berlin",
        durationMinutes: 50,
        recurrence: null,
        status: "scheduled",
        firstStartAt: "2024-01-05T09:00:00.000Z",
        lastEndAt: "2024-01-05T09:50:00.000Z",
        rescheduleBy: null,
        rescheduleAt: null,
        revision: 0,
        createdAt: T0,
        updatedAt: T0,
        ...over,
      }) as AppointmentRecord;

    it("stores, reads and updates an appointment only at the expected revision", async () => {
      await seedConversations(storage);
      await storage.appointments.createAppointment(apt("a1"));
      expect(await storage.appointments.getAppointment("a1")).toEqual(apt("a1"));
      const moved = apt("a1", { localStart: "2024-01-06T11:00", revision: 1, updatedAt: T1 });
      expect(await storage.appointments.updateAppointment(moved, 0)).toBe(true);
      expect(await storage.appointments.updateAppointment(apt("a1", { revision: 2 }), 0)).toBe(false);
      expect(await storage.appointments.getAppointment("a1")).toEqual(moved);
      expect(await storage.appointments.getAppointment("nope")).toBeUndefined();
    });

    it("lists a conversation's and a member's appointments not over, first start first", async () => {
      await seedConversations(storage);
      await storage.appointments.createAppointment(apt("past", { lastEndAt: "2023-12-01T00:00:00.000Z" }));
      await storage.appointments.createAppointment(
        apt("series", {
          firstStartAt: "2024-01-01T09:00:00.000Z",
          lastEndAt: null,
          recurrence: "FREQ=WEEKLY",
        }),
      );
      await storage.appointments.createAppointment(apt("soon"));
      await storage.appointments.createAppointment(apt("other", { conversationId: "c2" }));
      const ids = (rows: AppointmentRecord[]) => rows.map((r) => r.id);
      expect(ids(await storage.appointments.listForConversation("c1", T0))).toEqual(["series", "soon"]);
      // bob is in c1 only; carol in c2 only; alice in both.
      expect(ids(await storage.appointments.listForUser("bob", T0))).toEqual(["series", "soon"]);
      expect(ids(await storage.appointments.listForUser("carol", T0))).toEqual(["other"]);
      expect((await storage.appointments.listForUser("alice", T0)).length).toBe(3);
    });

    it("keeps settings and the feed secret's hash apart; one user per hash", async () => {
      await seedConversations(storage);
      expect(await storage.appointments.getSettings("bob")).toBeUndefined();
      await storage.appointments.setFeedToken("bob", "h1", DEFAULT_APPOINTMENT_SETTINGS, T0);
      expect(await storage.appointments.getSettings("bob")).toEqual({
        ...DEFAULT_APPOINTMENT_SETTINGS,
        feedActive: true,
      });
      const mine = { reminderMinutes: [30], push: false, email: true, showTime: true, feedNames: true };
      await storage.appointments.putSettings("bob", mine, T1);
      // Saving settings keeps the feed.
      expect(await storage.appointments.getSettings("bob")).toEqual({ ...mine, feedActive: true });
      expect(await storage.appointments.feedUser("h1")).toBe("bob");
      await storage.appointments.setFeedToken("bob", "h2", DEFAULT_APPOINTMENT_SETTINGS, T2);
      expect(await storage.appointments.feedUser("h1")).toBeUndefined();
      expect(await storage.appointments.feedUser("h2")).toBe("bob");
      // Rotating keeps the settings.
      expect(await storage.appointments.getSettings("bob")).toEqual({ ...mine, feedActive: true });
      await storage.appointments.setFeedToken("bob", null, DEFAULT_APPOINTMENT_SETTINGS, T2);
      expect(await storage.appointments.feedUser("h2")).toBeUndefined();
      expect((await storage.appointments.getSettings("bob"))?.feedActive).toBe(false);
    });

    it("records each reminder once", async () => {
      await seedConversations(storage);
      await storage.appointments.createAppointment(apt("a1"));
      const claim = (minutes: number) =>
        storage.appointments.claimReminder("a1", "bob", "2024-01-05T09:00:00.000Z", minutes, T1);
      expect(await claim(60)).toBe(true);
      expect(await claim(60)).toBe(false);
      expect(await claim(1440)).toBe(true);
      expect(await storage.appointments.countReminders("a1")).toBe(2);
    });
  });
}
