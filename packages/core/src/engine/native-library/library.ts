import { createRequire } from 'node:module';
import type * as KoffiModule from 'koffi';
import type { LibraryHandle } from 'koffi';

import { EngineError } from '../errors.js';

const requireFromHere = createRequire(import.meta.url);

/** The koffi module, loaded lazily so the JS engine never needs it. */
export type Koffi = typeof KoffiModule;

/** The ABI version this package's bindings are written for (`GMCP_ABI_VERSION`). */
export const EXPECTED_ABI_VERSION = 1;

/**
 * An open `libgopher_mcp_c`: the koffi library plus the shared helpers every primitive's
 * bindings use (status checking with the thread's last error).
 */
export class NativeLibrary {
  readonly version: string;
  private readonly lastError: () => string;

  private constructor(
    readonly koffi: Koffi,
    readonly lib: LibraryHandle,
    readonly path: string,
  ) {
    const abiVersion = lib.func('uint32_t gmcp_abi_version(void)') as () => number;
    const found = abiVersion();
    if (found !== EXPECTED_ABI_VERSION) {
      throw new Error(`${path} has ABI version ${found}, this package needs ${EXPECTED_ABI_VERSION}`);
    }
    this.version = (lib.func('const char *gmcp_library_version(void)') as () => string)();
    this.lastError = lib.func('const char *gmcp_last_error(void)') as () => string;
  }

  /** Opens the library at `path`, checking its ABI version. Throws when it cannot be used. */
  static open(path: string): NativeLibrary {
    const koffi = requireFromHere('koffi') as Koffi;
    return new NativeLibrary(koffi, koffi.load(path), path);
  }

  /** Throws an {@link EngineError} carrying the last error message when `status` is negative. */
  check(status: number, what: string): void {
    if (status < 0) throw new EngineError(status, `${what}: ${this.lastError()}`);
  }
}
