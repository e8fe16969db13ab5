import type { Handler, HandlerTable } from "../handler-types.ts";
import { SUPPORTED_VERSIONS, type VersionRange } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { ApiVersionsResponse } from "../protocol/generated/api-versions-response.ts";

// What a node advertises: the versions the protocol layer implements, limited to the APIs
// that have a registered handler, optionally narrowed further per API.
export function advertisedVersions(
  handlers: HandlerTable,
  narrow: readonly VersionRange[] = [],
): VersionRange[] {
  const limits = new Map(narrow.map((r) => [r.apiKey, r]));
  const out: VersionRange[] = [];
  for (const r of SUPPORTED_VERSIONS) {
    if ((handlers as Record<number, unknown>)[r.apiKey] === undefined) continue;
    const lim = limits.get(r.apiKey);
    const maxVersion = lim ? Math.min(lim.maxVersion, r.maxVersion) : r.maxVersion;
    const minVersion = lim ? Math.max(lim.minVersion, r.minVersion) : r.minVersion;
    if (minVersion <= maxVersion) out.push({ apiKey: r.apiKey, minVersion, maxVersion });
  }
  return out;
}

export function apiVersionsBody(errorCode: number, advertised: readonly VersionRange[]): ApiVersionsResponse {
  return {
    errorCode,
    apiKeys: advertised.map((r) => ({
      apiKey: r.apiKey,
      minVersion: r.minVersion,
      maxVersion: r.maxVersion,
    })),
    throttleTimeMs: 0,
    // Tagged feature fields stay unset: librdkafka 2.0 misreads tagged fields.
    supportedFeatures: undefined,
    finalizedFeaturesEpoch: undefined,
    finalizedFeatures: undefined,
    zkMigrationReady: undefined,
  };
}

// `advertised` is a getter so the table can follow the handlers registered at start-up.
export function createApiVersionsHandler(advertised: () => readonly VersionRange[]): Handler<18> {
  return () => apiVersionsBody(ErrorCode.NONE, advertised());
}
