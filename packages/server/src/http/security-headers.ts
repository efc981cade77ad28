import type { FastifyHelmetOptions } from "@fastify/helmet";

/**
 * The Content-Security-Policy of the web app and every answer. Listed in full (`useDefaults: false`)
 * so that no helmet default widens it: no `https:` source anywhere, fonts and scripts from this origin
 * only, no inline script attributes.
 */
export function cspDirectives(tls: boolean): Record<string, string[] | null> {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'"],
    fontSrc: ["'self'"],
    imgSrc: ["'self'", "data:", "blob:"],
    mediaSrc: ["'self'", "blob:"],
    // PDFs decrypted on the device open inline in a frame of a blob: URL (typed application/pdf only).
    frameSrc: ["blob:"],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    // Only meaningful over TLS; on plain-HTTP development it would break every subresource.
    ...(tls ? { upgradeInsecureRequests: [] } : {}),
  };
}

/**
 * Helmet's options for the server, and for the test server that serves only the web app: the CSP
 * above; `X-Frame-Options: DENY`, consistent with `frame-ancestors 'none'`; no referrer; HSTS over
 * TLS only.
 */
export function securityHeaders(tls: boolean): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(tls) },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    crossOriginEmbedderPolicy: false,
    hsts: tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}
