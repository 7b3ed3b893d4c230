// Last-resort cleanup: if the test process exits without its afterAll having run (a crash, a jest
// timeout that kills the run), what was started is still stopped. Every cleanup must be synchronous.
const cleanups = new Set<() => void>();
let installed = false;

/** Registers a synchronous cleanup for process exit; the returned function unregisters it. */
export function onProcessExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', () => {
      for (const fn of [...cleanups].reverse()) {
        try {
          fn();
        } catch {
          // best effort
        }
      }
    });
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
