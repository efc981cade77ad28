/**
 * Preloaded into the server process by bench/messaging.ts when `BENCH_CPU_PROF_PHASE` is set
 * (`--import bench/cpu-profile-hook.ts`): SIGUSR2 starts a V8 CPU profile, the next SIGUSR2 stops
 * it and writes `server-<phase>-<pid>.cpuprofile` into `BENCH_CPU_PROF`. So the profile holds one
 * phase only, not the sign-ups before it. It touches no server code, so any server script (an older
 * checkout's too) can be profiled the same way.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.BENCH_CPU_PROF ?? ".";
const phase = process.env.BENCH_CPU_PROF_PHASE ?? "phase";
const session = new Session();
session.connect();
let running = false;

process.on("SIGUSR2", () => {
  if (!running) {
    running = true;
    session.post("Profiler.enable", () => session.post("Profiler.start"));
    return;
  }
  running = false;
  session.post("Profiler.stop", (err, r) => {
    if (err) return process.stderr.write(`profile: ${err.message}\n`);
    writeFileSync(join(dir, `server-${phase}-${process.pid}.cpuprofile`), JSON.stringify(r.profile));
    process.stderr.write("profile written\n");
  });
});
