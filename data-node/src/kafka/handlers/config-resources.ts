import type { ConfigChange } from "../../meta/topic-config-changes.ts";
import type { BrokerContext } from "../broker-context.ts";
import { ErrorCode } from "../protocol/errors.ts";

// What DescribeConfigs, AlterConfigs and IncrementalAlterConfigs share: resource types, the broker
// resource's name rule, and the per-resource checks and dispatch of an alteration.

export const ResourceType = { TOPIC: 2, BROKER: 4 } as const;

// The broker resource is this node ("" for the cluster-wide defaults); anything else is a bad request.
export function brokerResourceError(nodeId: number, name: string): string | undefined {
  if (name === "") return undefined;
  if (!/^-?\d+$/.test(name)) return `Broker id must be an integer, but it is: ${name}`;
  if (Number(name) !== nodeId) return `Unexpected broker id, expected ${nodeId} but received ${name}`;
  return undefined;
}

export interface Alteration {
  resourceType: number;
  resourceName: string;
  changes: ConfigChange[];
  // Set when the request already shows this resource's change is malformed (INVALID_REQUEST).
  invalid?: string;
}

export interface AlterationResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

type Outcome = { errorCode: number; errorMessage?: string | null };

const invalidRequest = (errorMessage: string): Outcome => ({
  errorCode: ErrorCode.INVALID_REQUEST,
  errorMessage,
});

// chronik has no dynamic broker configs: every broker config is read-only, set in the node's TOML
// file. Kafka refuses a change to a config that is not dynamic with INVALID_REQUEST, and so does this.
function alterBroker(ctx: BrokerContext, a: Alteration): Outcome {
  const refused = brokerResourceError(ctx.nodeId, a.resourceName);
  if (refused) return invalidRequest(refused);
  if (a.changes.length === 0) return { errorCode: 0 };
  const known = new Set(ctx.brokerConfigs().map((e) => e.name));
  const names = a.changes.map((c) => c.name);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) return invalidRequest(`Unknown broker configs: ${unknown.join(", ")}`);
  return invalidRequest(
    `Cannot update these configs dynamically: ${names.join(", ")} (chronik's broker configs are read-only; set them in the node's config file)`,
  );
}

async function alterOne(
  ctx: BrokerContext,
  a: Alteration,
  mode: "replace" | "incremental",
  validateOnly: boolean,
): Promise<Outcome> {
  if (a.invalid !== undefined) return invalidRequest(a.invalid);
  const names = a.changes.map((c) => c.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) return invalidRequest(`Config ${repeated} appears more than once`);
  if (a.resourceType === ResourceType.BROKER) return alterBroker(ctx, a);
  if (a.resourceType !== ResourceType.TOPIC) return invalidRequest(`Unknown resource type ${a.resourceType}`);
  try {
    return await ctx.alterTopicConfigs({ topic: a.resourceName, mode, changes: a.changes, validateOnly });
  } catch (err) {
    // As Kafka answers an unexpected exception: this resource fails, the connection stays.
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: (err as Error).message };
  }
}

// One result per resource, in request order. A resource named twice fails both times.
export async function alterResources(
  ctx: BrokerContext,
  alterations: Alteration[],
  mode: "replace" | "incremental",
  validateOnly: boolean,
): Promise<AlterationResult[]> {
  const key = (a: Alteration) => `${a.resourceType}/${a.resourceName}`;
  const counts = new Map<string, number>();
  for (const a of alterations) counts.set(key(a), (counts.get(key(a)) ?? 0) + 1);
  return Promise.all(
    alterations.map(async (a) => {
      const o =
        (counts.get(key(a)) ?? 0) > 1
          ? invalidRequest("Each resource must appear at most once")
          : await alterOne(ctx, a, mode, validateOnly);
      return {
        errorCode: o.errorCode,
        errorMessage: o.errorMessage ?? null,
        resourceType: a.resourceType,
        resourceName: a.resourceName,
      };
    }),
  );
}
