import { z } from "zod";

/**
 * Encrypted attachments on the wire. The server stores opaque blobs (`application/octet-stream`)
 * that the sender's device encrypted; it never learns a file name, type or caption — those travel
 * inside the end-to-end-encrypted message, with the key.
 */

/** Largest accepted blob by default: 25 MiB (servers may configure another limit). */
export const DEFAULT_MAX_BLOB_BYTES = 25 * 1024 * 1024;

/** Media type of every upload and download body. */
export const BLOB_CONTENT_TYPE = "application/octet-stream";

/** A blob id: `blb_` and 128 random bits (base64url), made by the server at upload. */
export const BlobIdSchema = z
  .string()
  .regex(/^blb_[A-Za-z0-9_-]{16,43}$/, "expected a blb_ id")
  .brand<"BlobId">();
/** An uploaded, encrypted attachment. */
export type BlobId = z.output<typeof BlobIdSchema>;

/** Guard: is `v` a well-formed {@link BlobId}? */
export const isBlobId = (v: unknown): v is BlobId => BlobIdSchema.safeParse(v).success;

/** Answer to `POST /v1/conversations/:id/blobs`. */
export const BlobUploadResponseSchema = z.strictObject({
  blobId: BlobIdSchema,
  /** Bytes stored (the ciphertext's length). */
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  createdAt: z.iso.datetime(),
});
export type BlobUploadResponse = z.output<typeof BlobUploadResponseSchema>;
