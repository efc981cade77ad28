import "./checkins.css";
import { type CheckinEntry, instrumentOf } from "@hearth/client";
import type { CheckinPlan, ConversationId } from "@hearth/protocol";
import { useCallback, useEffect, useState } from "react";
import { Link } from "../../components/link.tsx";
import { Page } from "../../components/page.tsx";
import { useLiveSession } from "../../session/session-context.tsx";
import {
  checkinsState,
  downloadFhirExport,
  endPlan,
  loadCheckinEntries,
  loadPlans,
} from "../../state/checkins.ts";
import type { HearthSession } from "../../state/hearth-session.ts";
import { CheckinForm } from "./checkin-form.tsx";
import { PlanForm } from "./plan-form.tsx";
import { TrendChart } from "./trend-chart.tsx";

const planLine = (p: CheckinPlan, title: string | undefined) =>
  `${title ?? "Check-in"} · every ${p.schedule.days ? "chosen day" : "day"} at ${p.schedule.time} (${p.schedule.timeZone.replaceAll("_", " ")})`;

/**
 * A conversation's check-ins. The patient answers the plan's questions (two taps for a mood) and
 * sees their own trend; the therapist assigns and ends plans, sees each instrument's trend with its
 * severity bands and missed check-ins, and exports the answers as a FHIR file on this device.
 */
export function CheckinsScreen({ session: s, id }: { session: HearthSession; id: string }) {
  const session = useLiveSession(s);
  const [plans, setPlans] = useState<CheckinPlan[] | undefined>();
  const [problem, setProblem] = useState("");
  const [answering, setAnswering] = useState<string | undefined>();
  const role = session.saved.role;
  const summary = session.conversations.find((c) => c.conversationId === id);
  const patients = (summary?.members ?? []).filter(
    (m) => m.role === "patient" && m.userId !== session.userId,
  );

  const refresh = useCallback(() => {
    loadPlans(s, id)
      .then((p) => {
        setPlans(p);
        setProblem("");
      })
      .catch(() =>
        setProblem("Check-in plans can't be loaded right now. Answers you send are kept and go later."),
      );
  }, [s, id]);
  useEffect(() => {
    void s.openConversation(id).catch(() => undefined);
    refresh();
  }, [s, id, refresh]);

  // Every check-in this device holds (not only the loaded page of messages), read again whenever
  // the conversation's messages change (an answer arrived or was sent).
  const messages = session.client.conversation(id as ConversationId).messages;
  const [stored, setStored] = useState<{ id: string; entries: CheckinEntry[] } | undefined>();
  useEffect(() => {
    let live = true;
    void loadCheckinEntries(s, id, messages).then(
      (entries) => {
        if (live) setStored({ id, entries });
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [s, id, messages]);

  // Until this conversation's are read, the view's messages stand in.
  const state = checkinsState(session, id, plans ?? [], stored?.id === id ? stored.entries : undefined);
  const trends = state.trends.filter((t) => t.points.length > 0 || t.missed.length > 0);
  const mine = state.plans.filter((p) => p.plan.patientId === session.userId && p.content);
  const current = mine.find((p) => p.plan.id === answering) ?? (mine.length === 1 ? mine[0] : undefined);

  return (
    <Page title="Check-ins" before={<Link to={`/conversations/${id}`}>Back to the conversation</Link>}>
      {problem ? (
        <p className="quiet" role="status">
          {problem}
        </p>
      ) : null}
      {role === "patient" ? (
        <section className="checkins-section" aria-label="Your check-in">
          {current?.content ? (
            <>
              <h2>{instrumentOf(current.content.instrument, current.content.custom).title}</h2>
              <CheckinForm
                key={current.plan.id}
                session={session}
                conversationId={id}
                plan={current.content}
                onDone={() => setAnswering(undefined)}
              />
            </>
          ) : mine.length > 1 ? (
            <ul className="checkins-plans">
              {mine.map((p) => (
                <li key={p.plan.id}>
                  <button type="button" className="button" onClick={() => setAnswering(p.plan.id)}>
                    {instrumentOf(p.content!.instrument, p.content!.custom).title}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="quiet">
              {plans ? "Your therapist hasn't set up a check-in here yet." : "Loading…"}
            </p>
          )}
        </section>
      ) : null}
      {role === "therapist" && patients[0] ? (
        <section className="checkins-section" aria-label="Plans">
          <PlanForm
            session={session}
            conversationId={id}
            patientId={patients[0].userId}
            onAssigned={refresh}
          />
          {state.plans.length > 0 ? (
            <>
              <h2>Current plans</h2>
              <ul className="checkins-plans">
                {state.plans.map(({ plan, content }) => (
                  <li key={plan.id} className="checkins-plan">
                    <span>
                      {planLine(plan, content && instrumentOf(content.instrument, content.custom).title)}
                    </span>
                    <button
                      type="button"
                      className="button"
                      onClick={() =>
                        void endPlan(s, plan.id).then(refresh, () =>
                          setProblem("That plan couldn't be ended."),
                        )
                      }
                    >
                      End plan
                    </button>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : null}
      <section className="checkins-section" aria-labelledby="checkins-trends">
        <h2 id="checkins-trends">{role === "patient" ? "Your check-ins over time" : "Trends"}</h2>
        {trends.length === 0 ? <p className="quiet">No check-ins yet.</p> : null}
        {trends.map((t) => (
          <TrendChart
            key={`${t.patientId}-${t.instrument.title}`}
            trend={t}
            title={
              role === "patient"
                ? t.instrument.title
                : `${t.instrument.title} · ${session.nameOf(id, t.patientId)}`
            }
          />
        ))}
        {role === "therapist" && patients[0] && trends.length > 0 ? (
          <div className="checkins-export">
            <button
              type="button"
              className="button"
              onClick={() => void downloadFhirExport(s, id, patients[0]!.userId)}
            >
              Export as FHIR file
            </button>
            <p className="quiet">
              A FHIR R4 file for the clinical record, made on this device. Hearth never uploads it.
            </p>
          </div>
        ) : null}
        {role === "patient" ? (
          <p className="quiet">
            These scores are a way to notice changes over time, for you and your therapist. They are not a
            diagnosis.
          </p>
        ) : null}
      </section>
    </Page>
  );
}
