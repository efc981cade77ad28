import {
  type CheckinAnswer,
  type CheckinEntry,
  type CheckinPlanContent,
  type CheckinTrend,
  checkinsToFhirBundle,
  checkinTrends,
  deviceCheckinEntries,
  type InstrumentKind,
  planContents,
  scoredCheckins,
} from "@hearth/client";
import type { CheckinPlan, CheckinSchedule, ConversationId, UserId } from "@hearth/protocol";
import type { HearthSession } from "./hearth-session.ts";

/** What a conversation's check-ins screen shows: plans (with what they ask) and trends. */
export interface CheckinsState {
  plans: { plan: CheckinPlan; content: CheckinPlanContent | undefined }[];
  trends: CheckinTrend[];
}

const view = (s: HearthSession, id: string) => s.client.conversation(id as ConversationId);

/**
 * The plans and trends of a conversation, from the server's plans and the check-ins this device
 * holds: `entries` from {@link loadCheckinEntries} (the whole local store), or, until those are read,
 * the open view's messages.
 */
export function checkinsState(
  s: HearthSession,
  id: string,
  plans: readonly CheckinPlan[],
  entries?: readonly CheckinEntry[],
): CheckinsState {
  const all = entries ?? view(s, id).messages;
  const contents = planContents(all);
  return {
    plans: plans.map((plan) => ({ plan, content: contents.get(plan.id) })),
    trends: checkinTrends(all, plans, Date.now()),
  };
}

/**
 * Every check-in answer and plan of the conversation on this device (the SDK reads the whole store),
 * with what the open view shows (`also`, by default its messages).
 */
export function loadCheckinEntries(
  s: HearthSession,
  id: string,
  also: readonly CheckinEntry[] = view(s, id).messages,
): Promise<CheckinEntry[]> {
  return deviceCheckinEntries(s.client, id as ConversationId, { also });
}

/** The conversation's plans, as the server keeps them (a patient gets only their own). */
export async function loadPlans(s: HearthSession, id: string): Promise<CheckinPlan[]> {
  return (await s.api.call("listCheckinPlans", { params: { id } })).plans;
}

/**
 * Sends an answered check-in: an encrypted `checkin` message in the conversation. It is queued in
 * the outbox at once (offline too) and goes when the connection is there.
 */
export async function sendCheckin(s: HearthSession, id: string, checkin: CheckinAnswer): Promise<void> {
  await s.client.send(id as ConversationId, { kind: "checkin", text: "Check-in answered", checkin });
}

/**
 * A therapist assigns a plan: the server learns whom to remind and when; the instrument goes to the
 * patient in an encrypted `checkin-plan` message.
 */
export async function assignPlan(
  s: HearthSession,
  id: string,
  patientId: string,
  instrument: InstrumentKind,
  schedule: CheckinSchedule,
  custom?: CheckinPlanContent["custom"],
): Promise<CheckinPlan> {
  const plan = await s.api.call("createCheckinPlan", { params: { id }, body: { patientId, schedule } });
  const checkinPlan: CheckinPlanContent = {
    planId: plan.id,
    instrument,
    schedule,
    ...(custom ? { custom } : {}),
  };
  await s.client.send(id as ConversationId, { kind: "checkin-plan", text: "New check-in plan", checkinPlan });
  return plan;
}

/** Ends a plan (its reminders stop). */
export async function endPlan(s: HearthSession, planId: string): Promise<void> {
  await s.api.call("deleteCheckinPlan", { params: { planId } });
}

/**
 * Builds the FHIR R4 Bundle of one patient's check-ins (every one this device holds) and the
 * conversation's sessions, past and upcoming, on this device, and hands it to the browser as a file
 * download. Nothing is uploaded.
 */
export async function downloadFhirExport(
  s: HearthSession,
  id: string,
  patientId: UserId | string,
): Promise<void> {
  const entries = await loadCheckinEntries(s, id);
  const checkins = scoredCheckins(entries).filter((c) => c.patientId === patientId);
  // The conversation's sessions go in as Appointment resources; offline, the file still comes,
  // with the check-ins alone.
  const appointments = await s.appointments.sessionsForExport(id).catch(() => []);
  const bundle = checkinsToFhirBundle({
    patient: { userId: patientId, displayName: s.nameOf(id, patientId) },
    checkins,
    appointments,
    generatedAt: new Date().toISOString(),
  });
  const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: "application/fhir+json" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `check-ins-${new Date().toISOString().slice(0, 10)}.fhir.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
