import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A watch on files: call `close()` to stop it. */
export interface FileWatch {
  close(): void;
}

/** Tells when files may have changed. Injectable so tests (and platforms without fs.watch) can drive reloads. */
export interface FileWatcher {
  /** Calls `onChange` (maybe spuriously, maybe several times) when any of `paths` may have changed. */
  watch(paths: readonly string[], onChange: () => void, onError?: (error: Error) => void): FileWatch;
}

/**
 * A {@link FileWatcher} on `fs.watch`. It watches the directories holding the files rather than
 * the files, so replacing a file (write-and-rename, a Kubernetes secret's symlink swap) is seen;
 * any event in those directories reports a possible change (the caller compares contents).
 * Watchers are not persistent: they never keep the process alive.
 */
export const fsFileWatcher: FileWatcher = {
  watch(paths, onChange, onError) {
    const directories = new Set(paths.map((p) => dirname(resolve(p))));
    const watchers: FSWatcher[] = [];
    for (const directory of directories) {
      const watcher = watch(directory, { persistent: false }, () => onChange());
      watcher.on('error', (error) => onError?.(error));
      watchers.push(watcher);
    }
    return {
      close: () => {
        for (const watcher of watchers) watcher.close();
      },
    };
  },
};
