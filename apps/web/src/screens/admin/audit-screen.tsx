import type { AdminAuditResponse, AuditVerifyResponse } from "@hearth/protocol";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { describeError } from "../../components/form.tsx";
import { Link } from "../../components/link.tsx";
import { Page } from "../../components/page.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { AUDIT_ACTIONS, actionLabel, count, when } from "./admin-format.ts";
import "./admin.css";

interface Filters {
  action: string;
  actorId: string;
  from: string;
  to: string;
}

const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) =>
  d ? new Date(new Date(`${d}T00:00:00`).getTime() + 86_400_000).toISOString() : undefined;

/** The chain check in words. */
function chainText(v: AuditVerifyResponse): string {
  return v.ok
    ? `The audit log is intact: ${count(v.count)} ${v.count === 1 ? "entry" : "entries"} verified.`
    : `The audit log has been altered: entry ${v.brokenAt ?? "?"} does not match the ones before it (${count(v.count)} entries before it verified). Keep a copy of the database and contact whoever runs your server.`;
}

/** The audit log, newest first, with filters (action, person, dates) and the hash-chain check. */
export function AuditScreen({ session }: { session: HearthSession }) {
  const [filters, setFilters] = useState<Filters>({ action: "", actorId: "", from: "", to: "" });
  const [page, setPage] = useState<AdminAuditResponse | undefined>();
  const [verify, setVerify] = useState<AuditVerifyResponse | undefined>();
  const [people, setPeople] = useState<{ id: string; name: string }[]>([]);
  const [problem, setProblem] = useState("");

  const load = useCallback(
    async (f: Filters, before?: number) => {
      try {
        const query = {
          ...(f.action ? { action: f.action } : {}),
          ...(f.actorId ? { actorId: f.actorId } : {}),
          ...(f.from ? { from: dayStart(f.from) } : {}),
          ...(f.to ? { to: dayEnd(f.to) } : {}),
          ...(before ? { before } : {}),
          limit: 100,
        };
        const [p, v] = await Promise.all([
          session.api.call("adminAudit", { query }),
          session.api.call("verifyAudit"),
        ]);
        setPage(p);
        setVerify(v);
        setProblem("");
      } catch (err) {
        setProblem(describeError(err));
      }
    },
    [session],
  );
  useEffect(() => {
    void load({ action: "", actorId: "", from: "", to: "" });
    session.api
      .call("adminAccounts", {})
      .then((r) => setPeople(r.accounts.map((a) => ({ id: a.userId, name: a.displayName }))))
      .catch(() => undefined);
  }, [load, session]);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void load(filters);
  };
  const name = (id: string | null) =>
    id ? (page?.names[id] ?? "Someone outside this practice") : "No one signed in";

  return (
    <Page title="Audit log" before={<Link to="/admin">Back to practice admin</Link>}>
      {verify ? (
        <p
          className={verify.ok ? "admin-chain admin-chain--ok" : "admin-chain admin-chain--broken"}
          role="status"
        >
          {chainText(verify)}
        </p>
      ) : null}
      <p className="quiet">
        Who did what, and when. Entries name people and actions, never the content of messages.
      </p>
      <form className="admin-filters" aria-label="Filter the audit log" onSubmit={submit}>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select
            id="audit-action"
            value={filters.action}
            onChange={(e) => setFilters({ ...filters, action: e.currentTarget.value })}
          >
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Person</label>
          <select
            id="audit-actor"
            value={filters.actorId}
            onChange={(e) => setFilters({ ...filters, actorId: e.currentTarget.value })}
          >
            <option value="">Anyone</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input
            id="audit-from"
            type="date"
            value={filters.from}
            onChange={(e) => setFilters({ ...filters, from: e.currentTarget.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input
            id="audit-to"
            type="date"
            value={filters.to}
            onChange={(e) => setFilters({ ...filters, to: e.currentTarget.value })}
          />
        </div>
        <div className="form__actions">
          <button type="submit" className="button button--primary">
            Show entries
          </button>
        </div>
      </form>
      {problem ? <p className="notice">{problem}</p> : null}
      {!page ? (
        <p className="quiet">Loading…</p>
      ) : page.entries.length === 0 ? (
        <p className="quiet">No entries match.</p>
      ) : (
        <ol className="admin-list admin-audit" aria-label="Audit entries, newest first">
          {page.entries.map((e) => (
            <li key={e.seq} className="admin-row" data-action={e.action}>
              <div className="admin-row__main">
                <p className="admin-row__name">{actionLabel(e.action)}</p>
                <p className="admin-row__meta">
                  <bdi>{name(e.actorId)}</bdi>
                  {e.subject && page.names[e.subject] ? (
                    <>
                      {" "}
                      → <bdi>{page.names[e.subject]}</bdi>
                    </>
                  ) : null}{" "}
                  · {when(e.at)} · #{e.seq}
                </p>
              </div>
            </li>
          ))}
        </ol>
      )}
      {page?.nextBefore ? (
        <button
          type="button"
          className="button"
          onClick={() => void load(filters, page.nextBefore ?? undefined)}
        >
          Older entries
        </button>
      ) : null}
    </Page>
  );
}
