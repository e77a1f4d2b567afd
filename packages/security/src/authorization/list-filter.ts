import { ObjectMessageView, type JsonRpcMessage, type MessageView, type Principal } from '@gopher-mcp/core';

import type { AccessRequest, Policy } from './policy.js';

/** The list methods whose results are filtered, the array each result holds, and the request each item stands for. */
const LISTS: Readonly<Record<string, { readonly field: string; readonly request: (item: Record<string, unknown>) => AccessRequest | undefined }>> = {
  'tools/list': {
    field: 'tools',
    request: (item) => (typeof item.name === 'string' ? { method: 'tools/call', toolName: item.name } : undefined),
  },
  'prompts/list': {
    field: 'prompts',
    request: (item) => (typeof item.name === 'string' ? { method: 'prompts/get', promptName: item.name } : undefined),
  },
  'resources/list': {
    field: 'resources',
    request: (item) => (typeof item.uri === 'string' ? { method: 'resources/read', resourceUri: item.uri } : undefined),
  },
  'resources/templates/list': {
    field: 'resourceTemplates',
    request: (item) => (typeof item.uriTemplate === 'string' ? { method: 'resources/read', resourceUri: item.uriTemplate } : undefined),
  },
};

/** Whether results of `method` are filtered by {@link filterListResult}. */
export function isFilteredList(method: string | undefined): boolean {
  return method !== undefined && Object.hasOwn(LISTS, method);
}

/**
 * The result of a list request showing only what `principal` may use: each tool as a
 * `tools/call` of it, each prompt as a `prompts/get`, each resource (or template, by its
 * `uriTemplate`) as a `resources/read`. Items the policy cannot name are removed. Returns the
 * response itself when nothing was removed, and how many items were.
 */
export function filterListResult(
  method: string,
  response: MessageView,
  principal: Principal | undefined,
  policy: Policy,
): { readonly response: MessageView; readonly removed: number } {
  const list = LISTS[method];
  const result = response.result;
  if (list === undefined || typeof result !== 'object' || result === null) return { response, removed: 0 };
  const items = (result as Record<string, unknown>)[list.field];
  if (!Array.isArray(items)) return { response, removed: 0 };
  const kept = items.filter((item: unknown) => {
    if (typeof item !== 'object' || item === null) return false;
    const request = list.request(item as Record<string, unknown>);
    return request !== undefined && policy.allows(principal, request);
  });
  if (kept.length === items.length) return { response, removed: 0 };
  const message = { ...response.message, result: { ...(result as Record<string, unknown>), [list.field]: kept } } as JsonRpcMessage;
  return { response: new ObjectMessageView(message), removed: items.length - kept.length };
}
