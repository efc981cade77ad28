import { describe, expect, it } from "vitest";
import { decodeApiError, HearthApiError } from "./hearth-api-error.ts";

describe("decodeApiError", () => {
  it("keeps a protocol code and the server's message", () => {
    const e = decodeApiError(410, { code: "invite_invalid", message: "gone" });
    expect(e).toBeInstanceOf(HearthApiError);
    expect([e.code, e.status, e.message]).toEqual(["invite_invalid", 410, "gone"]);
  });

  it("an unknown code, a body without one, or no JSON at all is unexpected_response", () => {
    expect(decodeApiError(500, { code: "no_such_code" }).code).toBe("unexpected_response");
    expect(decodeApiError(502, null).code).toBe("unexpected_response");
    expect(decodeApiError(502, undefined).code).toBe("unexpected_response");
    expect(decodeApiError(401, { code: "token_invalid" }).message).toBe("token_invalid");
  });
});
