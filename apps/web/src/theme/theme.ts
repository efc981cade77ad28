/** The person's theme choice; "system" follows `prefers-color-scheme`. */
export type ThemeChoice = "system" | "light" | "dark";

/** localStorage key; `public/theme-init.js` reads the same key before first paint. */
export const THEME_KEY = "hearth.theme";

const CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];

/** The stored choice, or "system" when none (or storage is unavailable, e.g. private mode). */
export function storedTheme(): ThemeChoice {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return CHOICES.find((c) => c === value) ?? "system";
  } catch {
    return "system";
  }
}

/**
 * Applies a choice to the document (`<html data-theme>`, which the CSS reads) and stores it.
 * "system" removes the attribute so the media query decides.
 */
export function applyTheme(choice: ThemeChoice, store = true): void {
  const root = document.documentElement;
  if (choice === "system") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", choice);
  if (!store) return;
  try {
    if (choice === "system") localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch {
    // Storage can be unavailable (private mode, quota); the choice then lasts for this page only.
  }
}
