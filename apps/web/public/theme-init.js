// Applies the stored theme before first paint. It is a separate file, not an inline script,
// because the server's Content-Security-Policy allows scripts from 'self' only.
// Keep the key in sync with src/theme/theme.ts (THEME_KEY).
try {
  const choice = localStorage.getItem("hearth.theme");
  if (choice === "light" || choice === "dark") document.documentElement.setAttribute("data-theme", choice);
} catch {
  // No storage: the system theme applies.
}
