// The environment a child-process run of the tap gets: PATH, and whatever sets the clock, nothing else.
/** Variables that move a process's clock (Debian's faketime preloads a library configured by FAKETIME*). */
const CLOCK = /^(LD_PRELOAD|FAKETIME\w*|DONT_FAKE_MONOTONIC|NO_FAKE_STAT)$/;

/**
 * PATH, the clock's variables and `extra`: a TAP_KLAVIYO_API_KEY of the developer never leaks into a run, while a
 * suite run under faketime runs the tap on the same clock as the simulator and the test.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clock = Object.entries(process.env).filter(([name]) => CLOCK.test(name));
  return { PATH: process.env['PATH'] ?? '', ...Object.fromEntries(clock), ...extra };
}

export const CHILD_ENV: NodeJS.ProcessEnv = childEnv();
