import type {
  ROUTES,
  RouteBodyInput,
  RouteName,
  RouteParamsInput,
  RouteQueryInput,
  RouteResponse,
} from "@hearth/protocol";
import type { TransferProgress } from "./blob-bodies.ts";

type Route<N extends RouteName> = (typeof ROUTES)[N];

/** True when every field of `T` may be left out. */
type AllOptional<T> = Partial<T> extends T ? true : false;

/** One request part: absent when the route takes none, optional when all its fields are, else required. */
type Part<K extends string, T> = [T] extends [undefined]
  ? { readonly [P in K]?: undefined }
  : AllOptional<T> extends true
    ? { readonly [P in K]?: T }
    : { readonly [P in K]: T };

/** The body a caller passes: the route's JSON body, or the bytes of a binary (blob) route. */
export type CallBody<N extends RouteName> =
  Route<N> extends { body: "binary" } ? Uint8Array : RouteBodyInput<Route<N>>;

/**
 * What {@link HearthApi.call} takes for route `N`: its path parameters (substituted into the path
 * template and percent-encoded), query, body, and how long to wait.
 */
export type CallOptions<N extends RouteName> = Part<"params", RouteParamsInput<Route<N>>> &
  Part<"query", RouteQueryInput<Route<N>>> &
  Part<"body", CallBody<N>> & {
    /** Cancels the call: it rejects with `aborted`. */
    readonly signal?: AbortSignal;
    /** This call's timeout instead of the API's `timeoutMs` (see {@link HearthApiOptions}). */
    readonly timeoutMs?: number;
    /** Blob routes: `(done, total)` as the bytes go out or come in. */
    readonly progress?: TransferProgress;
    /** Binary answers: a longer blob is not read further, and the call returns `undefined`. */
    readonly maxBytes?: number;
  };

/** The arguments of {@link HearthApi.call} after the route name: the options, optional when nothing is required. */
export type CallArgs<N extends RouteName> =
  AllOptional<CallOptions<N>> extends true ? [options?: CallOptions<N>] : [options: CallOptions<N>];

/** What {@link HearthApi.call} settles with: the validated answer, nothing (204), or bytes (`undefined` over `maxBytes`). */
export type CallResult<N extends RouteName> = Route<N>["response"] extends "binary"
  ? Uint8Array | undefined
  : RouteResponse<Route<N>>;
