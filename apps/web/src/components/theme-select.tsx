import { useId, useState } from "react";
import { applyTheme, storedTheme, type ThemeChoice } from "../theme/theme.ts";

/** Light / dark / follow the system; stored on this device. */
export function ThemeSelect({ label = "Theme" }: { label?: string }) {
  const id = useId();
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  const change = (value: string) => {
    const next: ThemeChoice = value === "light" || value === "dark" ? value : "system";
    setChoice(next);
    applyTheme(next);
  };
  return (
    <div className="field field--inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={choice} onChange={(e) => change(e.currentTarget.value)}>
        <option value="system">Same as device</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </div>
  );
}
