#!/usr/bin/env node
// `npx hearth …` in a checkout: runs the TypeScript command through tsx (as `npm start` does).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/hearth.ts");
