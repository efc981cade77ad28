// Settings moved to screens/settings/, one file per section; this keeps the old import path.
export { SettingsScreen } from "./settings/settings-screen.tsx";
