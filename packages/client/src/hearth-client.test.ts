import { describe, expect, it } from "vitest";
import type { WebSocketConstructor } from "./connection/connection.ts";
import { MemoryKeyStore } from "./device-key-store.ts";
import { HearthClient } from "./hearth-client.ts";
import { unencryptedCodecForTests } from "./payload-codec.ts";

// Never opened: these tests only construct clients.
const WebSocket = class {} as unknown as WebSocketConstructor;
const base = { baseUrl: "http://localhost:1", token: "t", WebSocket, fetch: globalThis.fetch };

describe("HearthClient options", () => {
  it("has no plaintext default: encryption or an explicit codec is required, not both", () => {
    expect(() => new HearthClient(base)).toThrow(/encryption.*unencryptedCodecForTests/);
    expect(
      () =>
        new HearthClient({
          ...base,
          codec: unencryptedCodecForTests,
          encryption: { keyStore: new MemoryKeyStore() },
        }),
    ).toThrow(/either codec or encryption/);
  });

  it("client.crypto is on with encryption; with a codec it is off, and its methods say so", async () => {
    const encrypted = new HearthClient({ ...base, encryption: { keyStore: new MemoryKeyStore() } });
    expect(encrypted.crypto.enabled).toBe(true);
    const plain = new HearthClient({ ...base, codec: unencryptedCodecForTests });
    expect(plain.crypto.enabled).toBe(false);
    expect(() => plain.crypto.stats()).toThrow(/Encryption is off/);
    await expect(plain.crypto.setUp()).rejects.toThrow(/Encryption is off/);
    await expect(plain.crypto.idle()).resolves.toBeUndefined();
  });
});
