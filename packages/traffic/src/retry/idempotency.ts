import { matchAnyGlob, type MessageView } from '@gopher-mcp/core';

/** Most tool names remembered from `tools/list` results. */
const MAX_LEARNED = 10_000;

/** Decides whether a request may be sent again. */
export class IdempotencyRules {
  /** Tool names learned from `tools/list` results (`readOnlyHint` / `idempotentHint`), when trusted. */
  private readonly learned = new Set<string>();

  constructor(
    private readonly safeMethods: readonly string[],
    private readonly idempotentTools: readonly string[],
    private readonly custom: ((message: MessageView) => boolean | undefined) | undefined,
  ) {}

  /**
   * True when `message` is safe to repeat: the custom rule when it answers, else `tools/call` only
   * for a tool declared idempotent (by config or learned), else any method in `safeMethods`.
   */
  isSafe(message: MessageView): boolean {
    const verdict = this.custom?.(message);
    if (verdict !== undefined) return verdict;
    const method = message.method;
    if (method === undefined) return false;
    if (method === 'tools/call') {
      const tool = message.toolName;
      return tool !== undefined && (this.learned.has(tool) || matchAnyGlob(this.idempotentTools, tool));
    }
    return matchAnyGlob(this.safeMethods, method);
  }

  /** Learns the tools a `tools/list` result marks read-only or idempotent. */
  learnFrom(result: unknown): void {
    const tools = (result as { tools?: unknown } | undefined)?.tools;
    if (!Array.isArray(tools)) return;
    if (this.learned.size > MAX_LEARNED) this.learned.clear();
    for (const tool of tools) {
      if (typeof tool !== 'object' || tool === null) continue;
      const { name, annotations } = tool as { name?: unknown; annotations?: { readOnlyHint?: unknown; idempotentHint?: unknown } };
      if (typeof name !== 'string') continue;
      if (annotations?.readOnlyHint === true || annotations?.idempotentHint === true) this.learned.add(name);
      else this.learned.delete(name);
    }
  }
}
