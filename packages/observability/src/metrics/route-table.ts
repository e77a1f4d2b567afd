import type { HotMetrics, HotRoute } from './hot-metrics.js';
import type { LabelLimiter } from './label-limiter.js';

/**
 * The {@link HotRoute} of an exchange's method and tool as the peer sent them, cached by those raw
 * values so the hot path neither asks the label limiters nor builds a key. Only values the limiters
 * keep as they are (admitted, or absent) are cached: a value folded into `other` is peer-chosen and
 * unbounded, so it takes the slow path every time (and a limiter never un-admits a value, so a
 * cached route stays right).
 */
export class RouteTable {
  private readonly byMethod = new Map<string | undefined, Map<string | undefined, HotRoute>>();

  constructor(
    private readonly hot: HotMetrics,
    private readonly methods: LabelLimiter,
    private readonly tools: LabelLimiter,
  ) {}

  /** The route of `method` and `tool` (undefined: no such field). */
  route(method: string | undefined, tool: string | undefined): HotRoute {
    const route = this.byMethod.get(method)?.get(tool);
    return route ?? this.resolve(method, tool);
  }

  private resolve(method: string | undefined, tool: string | undefined): HotRoute {
    const methodLabel = this.methods.value(method);
    const toolLabel = this.tools.value(tool);
    const route = this.hot.route(methodLabel, toolLabel);
    if ((method === undefined || methodLabel === method) && (tool === undefined || toolLabel === tool)) {
      let byTool = this.byMethod.get(method);
      if (byTool === undefined) {
        byTool = new Map();
        this.byMethod.set(method, byTool);
      }
      byTool.set(tool, route);
    }
    return route;
  }
}
