import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { MissingFamilyError } from '../errors/filter-errors.js';
import type { FilterFactory, FilterFamily } from './family.js';
import { FILTER_PACKAGES, type BuiltinFilterType } from './known-filters.js';

/** Imports a package by name; replaceable for tests and bundlers. */
export type PackageImporter = (packageName: string) => Promise<unknown>;

/**
 * Imports a family package: first as seen from this package, then as seen from the application's
 * working directory (with pnpm or a workspace, `@gopher-mcp/core` cannot see its sibling packages,
 * while the application that installed them can). The ESM entry is preferred, so one copy of core's
 * classes is shared.
 */
const defaultImporter: PackageImporter = async (packageName) => {
  try {
    return await import(packageName);
  } catch (error) {
    if (!isNotInstalled(error, packageName)) throw error;
    const entry = resolveFromApplication(packageName);
    if (entry === undefined) throw error;
    return import(pathToFileURL(entry).href);
  }
};

function resolveFromApplication(packageName: string): string | undefined {
  try {
    const requireFromApp = createRequire(join(process.cwd(), 'index.js'));
    const manifestPath = requireFromApp.resolve(`${packageName}/package.json`);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      exports?: { '.'?: { import?: { default?: string } | string } };
      module?: string;
      main?: string;
    };
    const esm = manifest.exports?.['.']?.import;
    const relative = (typeof esm === 'string' ? esm : esm?.default) ?? manifest.module ?? manifest.main;
    return relative === undefined ? requireFromApp.resolve(packageName) : join(dirname(manifestPath), relative);
  } catch {
    return undefined;
  }
}

/**
 * The filter factories a process knows, by type id. Families register themselves (a family
 * package's `family` export); `FilterManager.fromConfig` loads the families a config needs.
 */
export class FilterRegistry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly factories = new Map<string, FilterFactory<any>>();
  private readonly families = new Map<string, FilterFamily>();

  /** Registers every factory of `family` (registering the same family twice is harmless). */
  register(family: FilterFamily): this {
    this.families.set(family.packageName, family);
    for (const factory of family.factories) this.factories.set(factory.type, factory);
    return this;
  }

  /** Registers one factory, e.g. a custom filter type. */
  registerFactory<Options>(factory: FilterFactory<Options>): this {
    this.factories.set(factory.type, factory);
    return this;
  }

  /** The factory of `type`, if registered. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get(type: string): FilterFactory<any> | undefined {
    return this.factories.get(type);
  }

  /** Whether `type` is registered. */
  has(type: string): boolean {
    return this.factories.has(type);
  }

  /** Registered type ids. */
  types(): string[] {
    return [...this.factories.keys()];
  }

  /**
   * Makes sure the family of each built-in type in `types` is registered, importing its package
   * when needed. Fails with {@link MissingFamilyError} naming the package to install.
   */
  async ensure(types: Iterable<BuiltinFilterType>, importer: PackageImporter = defaultImporter): Promise<void> {
    for (const type of types) {
      if (this.factories.has(type)) continue;
      const packageName = FILTER_PACKAGES[type];
      let module: unknown;
      try {
        module = await importer(packageName);
      } catch (error) {
        if (isNotInstalled(error, packageName)) throw new MissingFamilyError(type, packageName, error);
        throw error;
      }
      const family = (module as { family?: FilterFamily }).family;
      if (family === undefined) throw new MissingFamilyError(type, packageName, new Error(`${packageName} exports no family`));
      this.register(family);
      if (!this.factories.has(type)) {
        throw new MissingFamilyError(type, packageName, new Error(`${packageName} does not provide ${type}`));
      }
    }
  }
}

function isNotInstalled(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(packageName);
}

/** The process-wide registry `FilterManager.fromConfig` uses by default. */
export const defaultRegistry = new FilterRegistry();
