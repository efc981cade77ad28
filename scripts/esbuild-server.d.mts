import type { BuildOptions, Plugin } from "esbuild";

/** Bare imports stay external unless they name one of our workspace packages. */
export declare const externalDependencies: Plugin;
/** esbuild's options for the server; entry points and output are the caller's. */
export declare const serverBuildOptions: BuildOptions;
