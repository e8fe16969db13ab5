import type { ApiMessages } from "./protocol/generated/apis.ts";

// A handler returns this to send nothing back (Produce with acks=0). The request still keeps
// its place in the connection's response order.
export const NO_RESPONSE: unique symbol = Symbol("kafka.no-response");
export type NoResponse = typeof NO_RESPONSE;

export interface RequestContext {
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  connectionId: number;
  remoteAddress: string;
}

export type ApiRequest<K extends keyof ApiMessages> = ApiMessages[K]["request"];
export type ApiResponse<K extends keyof ApiMessages> = ApiMessages[K]["response"];

export type Handler<K extends keyof ApiMessages> = (
  request: ApiRequest<K>,
  ctx: RequestContext,
) => ApiResponse<K> | NoResponse | Promise<ApiResponse<K> | NoResponse>;

export type HandlerTable = { [K in keyof ApiMessages]?: Handler<K> };
