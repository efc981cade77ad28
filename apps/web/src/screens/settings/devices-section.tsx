import type { DeviceSummary } from "@hearth/protocol";
import { type ReactNode, useCallback, useEffect, useState } from "react";
import { ActionForm, describeError, Field, text } from "../../components/form.tsx";
import { Name } from "../../components/names.tsx";
import { lastActivity } from "../../format/time.ts";
import type { HearthSession } from "../../state/hearth-session.ts";
import { AddDevice } from "./add-device.tsx";

/** Devices: where I'm signed in (rename, sign out), and sending my keys to a new one. */
export function DevicesSection({ session }: { session: HearthSession }) {
  const [devices, setDevices] = useState<DeviceSummary[] | undefined>();
  const [status, setStatus] = useState<ReactNode>("");
  const [renaming, setRenaming] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      setDevices(await session.api.devices());
    } catch (err) {
      setStatus(describeError(err));
    }
  }, [session]);
  useEffect(() => {
    void load();
  }, [load]);
  const revoke = async (d: DeviceSummary) => {
    try {
      await session.api.revokeDevice(d.deviceId);
      setStatus(
        <>
          <Name>{d.name}</Name> is signed out.
        </>,
      );
      await load();
    } catch (err) {
      setStatus(describeError(err));
    }
  };
  return (
    <>
      <section className="card" aria-labelledby="devices-title">
        <h2 id="devices-title">Devices</h2>
        <p>Where you're signed in. Sign out anything you don't recognise or no longer use.</p>
        {devices ? (
          <ul className="device-list">
            {[...devices]
              .sort((a, b) => Number(b.current) - Number(a.current))
              .map((d) => (
                <li key={d.deviceId} className="device-list__item">
                  {renaming === d.deviceId ? (
                    <ActionForm
                      label={`Rename ${d.name}`}
                      submitLabel="Save device name"
                      busyLabel="Saving…"
                      action={async (data) => {
                        const name = text(data, "device-name");
                        await session.api.renameDevice(d.deviceId, name);
                        setRenaming(undefined);
                        setStatus(
                          <>
                            Renamed to <Name>{name}</Name>.
                          </>,
                        );
                        await load();
                      }}
                    >
                      <Field
                        id="device-name"
                        label="Device name"
                        required
                        maxLength={64}
                        defaultValue={d.name}
                      />
                    </ActionForm>
                  ) : (
                    <div>
                      <p className="device-list__name">
                        <Name>{d.name}</Name>
                        {d.current ? <span className="tag">This device</span> : null}
                      </p>
                      <p className="quiet">Last active: {lastActivity(d.lastSeenAt)}</p>
                    </div>
                  )}
                  <div className="device-list__actions">
                    <button
                      type="button"
                      className="button button--quiet button--small"
                      onClick={() => setRenaming(renaming === d.deviceId ? undefined : d.deviceId)}
                    >
                      {renaming === d.deviceId ? "Cancel" : "Rename"}
                      <span className="visually-hidden">
                        {" "}
                        <Name>{d.name}</Name>
                      </span>
                    </button>
                    {d.current ? null : (
                      <button
                        type="button"
                        className="button button--quiet button--small"
                        onClick={() => revoke(d)}
                      >
                        Sign out
                        <span className="visually-hidden">
                          {" "}
                          <Name>{d.name}</Name>
                        </span>
                      </button>
                    )}
                  </div>
                </li>
              ))}
          </ul>
        ) : (
          <p className="quiet">Loading…</p>
        )}
        <p className="form__status" role="status">
          {status}
        </p>
      </section>
      <AddDevice session={session} />
    </>
  );
}
