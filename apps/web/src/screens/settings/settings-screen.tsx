import "./settings.css";
import { type KeyboardEvent, useId, useState } from "react";
import { Page } from "../../components/page.tsx";
import { SignOutButton } from "../../components/sign-out-button.tsx";
import { useLiveSession } from "../../session/session-context.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { DevicesSection } from "./devices-section.tsx";
import { EmailSection } from "./email-section.tsx";
import { NotificationsSection } from "./notifications-section.tsx";
import { OfficeHoursSection } from "./office-hours-section.tsx";
import { PrivacySection } from "./privacy-section.tsx";
import { ProfileSection } from "./profile-section.tsx";
import { SecuritySection } from "./security-section.tsx";
import { SessionsSection } from "./sessions-section.tsx";

/** The sections of Settings, in the order they are offered. */
export const SETTINGS_SECTIONS = ["Profile", "Privacy", "Notifications", "Devices", "Security"] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

/** The open section is remembered for this tab (quick exit forgets it with the rest). */
const SECTION_KEY = "hearth.settings.section";

function storedSection(): SettingsSection {
  try {
    const s = sessionStorage.getItem(SECTION_KEY);
    return (SETTINGS_SECTIONS as readonly string[]).includes(s ?? "") ? (s as SettingsSection) : "Profile";
  } catch {
    return "Profile";
  }
}

/**
 * Settings, in five sections a person can scan (tabs: one section on screen at a time, so a phone
 * shows a screenful rather than one long page), and signing out below them.
 */
export function SettingsScreen({ session: s }: { session: HearthSession }) {
  const session = useLiveSession(s);
  const [section, setSection] = useState<SettingsSection>(storedSection);
  const base = useId();
  const tabId = (name: SettingsSection) => `${base}-tab-${name}`;
  const panelId = `${base}-panel`;
  const choose = (next: SettingsSection, focus = false) => {
    setSection(next);
    try {
      sessionStorage.setItem(SECTION_KEY, next);
    } catch {
      // Not remembered: fine.
    }
    if (focus) document.getElementById(tabId(next))?.focus();
  };
  // The tabs pattern: arrows move between tabs (and show them), Home and End go to the ends.
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = SETTINGS_SECTIONS.indexOf(section);
    const n = SETTINGS_SECTIONS.length;
    const to =
      e.key === "ArrowRight"
        ? (i + 1) % n
        : e.key === "ArrowLeft"
          ? (i + n - 1) % n
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? n - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    choose(SETTINGS_SECTIONS[to] ?? "Profile", true);
  };
  return (
    <Page title="Settings">
      <div className="settings-tabs" role="tablist" aria-label="Settings sections" onKeyDown={onKey}>
        {SETTINGS_SECTIONS.map((name) => (
          <button
            key={name}
            id={tabId(name)}
            type="button"
            role="tab"
            className="settings-tabs__tab"
            aria-selected={name === section}
            aria-controls={panelId}
            tabIndex={name === section ? 0 : -1}
            onClick={() => choose(name)}
          >
            {name}
          </button>
        ))}
      </div>
      <div id={panelId} role="tabpanel" aria-labelledby={tabId(section)} className="settings-panel">
        {section === "Profile" ? <ProfileSection session={session} /> : null}
        {section === "Privacy" ? <PrivacySection session={session} /> : null}
        {section === "Notifications" ? (
          <>
            <NotificationsSection session={session} />
            <SessionsSection session={session} />
            <EmailSection session={session} />
            {session.me?.role === "therapist" ? <OfficeHoursSection session={session} /> : null}
          </>
        ) : null}
        {section === "Devices" ? <DevicesSection session={session} /> : null}
        {section === "Security" ? <SecuritySection session={session} /> : null}
      </div>
      <section className="card" aria-labelledby="sign-out-title">
        <h2 id="sign-out-title">Sign out</h2>
        <p>
          Signing out removes your messages from this device. They stay safe on the server for your next
          sign-in.
        </p>
        <SignOutButton />
      </section>
    </Page>
  );
}
