import { randomUUID } from "node:crypto";
import { describeWithService, REDIS_URL, redisReachable } from "@hearth/server/testing";
import { describe } from "vitest";
import { MemoryBus } from "../src/bus/memory/memory-bus.ts";
import { RedisBus } from "../src/bus/redis/redis-bus.ts";
import { runBusSuite } from "./bus-suite.ts";

describe("MemoryBus", () => {
  runBusSuite(async () => {
    const bus = new MemoryBus();
    // One process: both "nodes" are the same bus; closing twice is harmless.
    return [bus, bus];
  });
});

describeWithService("RedisBus", await redisReachable(), "Redis at 127.0.0.1:6379", () => {
  runBusSuite(async () => {
    const prefix = `hearth-test-${randomUUID()}:`;
    return [
      await RedisBus.connect({ url: REDIS_URL, prefix }),
      await RedisBus.connect({ url: REDIS_URL, prefix }),
    ];
  });
});
