import type { AdminAccount, AdminPendingResponse } from "@hearth/protocol";
import { useCallback, useEffect, useState } from "react";
import { describeError } from "../../components/form.tsx";
import { Link } from "../../components/link.tsx";
import { Page } from "../../components/page.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { AccountsSection } from "./accounts-section.tsx";
import { PendingSection } from "./pending-section.tsx";
import "./admin.css";

/** The admin console: staff, patients, pending invites and links; the audit log is one link away. */
export function AdminScreen({ session }: { session: HearthSession }) {
  const [accounts, setAccounts] = useState<AdminAccount[] | undefined>();
  const [pending, setPending] = useState<AdminPendingResponse | undefined>();
  const [problem, setProblem] = useState("");
  const load = useCallback(async () => {
    try {
      const [a, p] = await Promise.all([
        session.api.call("adminAccounts", {}),
        session.api.call("adminPending"),
      ]);
      setAccounts(a.accounts);
      setPending(p);
      setProblem("");
    } catch (err) {
      setProblem(describeError(err));
    }
  }, [session]);
  useEffect(() => {
    void load();
  }, [load]);

  if (session.saved.role !== "admin") {
    return (
      <Page title="Practice admin">
        <p className="notice">Only your practice's admin can open this page.</p>
      </Page>
    );
  }
  const staff = accounts?.filter((a) => a.role !== "patient") ?? [];
  const patients = accounts?.filter((a) => a.role === "patient") ?? [];
  return (
    <Page title="Practice admin" before={<Link to="/conversations">Back to your practice</Link>}>
      <p className="lead">
        Manage who can sign in. You never see anyone's messages.{" "}
        <Link to="/admin/audit">Open the audit log</Link>
      </p>
      {problem ? <p className="notice">{problem}</p> : null}
      {!accounts || !pending ? (
        <p className="quiet">Loading…</p>
      ) : (
        <>
          <AccountsSection
            session={session}
            accounts={staff}
            title="Therapists and staff"
            headingId="admin-staff"
            onChanged={() => void load()}
          />
          <PendingSection session={session} pending={pending} onChanged={() => void load()} />
          <AccountsSection
            session={session}
            accounts={patients}
            title="Patients"
            headingId="admin-patients"
            onChanged={() => void load()}
          />
        </>
      )}
    </Page>
  );
}
