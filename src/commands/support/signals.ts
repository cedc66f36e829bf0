/** Process signals for commands that run in the foreground. */

/** Resolves at the first SIGINT or SIGTERM; a second one then takes Node's default action (the process ends). */
export function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
