/**
 * The official MCP client SDK (v2, `@modelcontextprotocol/client`: the line that speaks both protocol eras),
 * loaded on a target's first check rather than with this module: its schemas and validators are the bulk of a
 * cold `pitwall check`, and a stdio server spawned first boots while they load.
 */
import type * as ClientModule from '@modelcontextprotocol/client';

export type Sdk = typeof ClientModule;

let sdk: Sdk | undefined;

/** The SDK's client module, once. */
export async function loadSdk(): Promise<Sdk> {
  return (sdk ??= await import('@modelcontextprotocol/client'));
}

/** The SDK once loaded; until then no error can be one of its classes, which the predicates below rely on. */
export function loadedSdk(): Sdk | undefined {
  return sdk;
}

/** A local SDK error (timeout, connection closed, HTTP status, era negotiation…) with its string code. */
export function sdkErrorCode(err: unknown): string | undefined {
  return sdk && err instanceof sdk.SdkError ? err.code : undefined;
}

/** The HTTP status an SDK HTTP error carries (the transports throw SdkHttpError for a non-2xx answer). */
export function sdkHttpStatus(err: unknown): number | undefined {
  return sdk && err instanceof sdk.SdkHttpError ? err.status : undefined;
}

/** A JSON-RPC error the server answered (code, message, data), as the SDK decoded it. */
export function protocolError(err: unknown): { code: number; message: string; data?: unknown } | undefined {
  return sdk && err instanceof sdk.ProtocolError ? err : undefined;
}

/** The legacy transport's SSE failure (HTTP status in `code`). */
export function sseErrorStatus(err: unknown): number | undefined {
  return sdk && err instanceof sdk.SseError && typeof err.code === 'number' && err.code >= 100 ? err.code : undefined;
}

/** The 2026-07-28 revision: the era without initialize, sessions or ping. */
export const MODERN_VERSION = '2026-07-28';
/** The newest 2025-era revision: what the `initialize` fallback offers. */
export const LEGACY_VERSION = '2025-11-25';
