/**
 * @hearth/server/testing — fixtures for tests of the server and of code that talks to it (the SDK's
 * integration tests, the repository's end-to-end suites, the benchmarks). Not part of the runtime
 * surface: `main.ts` and `@hearth/server` never import it.
 *
 * A manual clock for `buildServer({ clock })` is `ManualClock` from `@hearth/client/testing` (the
 * server's {@link Clock} has the same shape). It is not re-exported here: that would make the server
 * package depend on the client, and the client's tests already depend on this entry point.
 *
 * @example
 * import { makePractice, RawSocket, startTestServer } from "@hearth/server/testing";
 *
 * const t = await startTestServer();
 * const { therapist } = await makePractice(t);
 * const socket = await RawSocket.hello(t.wsUrl, therapist.token);
 * await socket.closeAndWait();
 * await t.stop();
 */

/** The opaque conversation reference a push to a subscription carries (tests compute the expected one). */
export { pushRef } from "../modules/push/push-service.ts";
export { filesUnder } from "./files.ts";
export {
  LoopbackPushService,
  type LoopbackSubscription,
  type ReceivedPush,
} from "./loopback-push.ts";
export {
  dropSchema,
  openEmptyPostgresSchema,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "./pg-schema.ts";
export { joinByInvite, login, makePractice, otherPracticeTherapist, type Practice } from "./practice.ts";
export { RawSocket } from "./raw-socket.ts";
export { describeWithService, REDIS_URL, REQUIRE_SERVICES, redisReachable } from "./services.ts";
export { makeTempDir, type TempDir } from "./temp-dir.ts";
export { FAST_ARGON2, startTestServer, type TestServer, type TestServerOptions } from "./test-server.ts";
