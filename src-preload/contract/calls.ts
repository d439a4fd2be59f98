// Every call of the bridge, assembled from the areas' call groups, with the types both transports
// and both sides are typed from.
import { type z } from 'zod';
import { backupCalls } from './backup';
import { backupBrowseCalls } from './backup-browse';
import { backupRemoteCalls } from './backup-remote';
import { casCalls } from './cas';
import { eventsCalls } from './events';
import { jobsCalls } from './jobs';
import { overviewCalls } from './overview';
import { settingsCalls } from './settings';
import { storesCalls } from './stores';

/** Every call of the bridge: name -> { input, output, doc }. */
export const CALLS = {
  ...overviewCalls(),
  ...storesCalls(),
  ...settingsCalls(),
  ...jobsCalls(),
  ...eventsCalls(),
  ...backupCalls(),
  ...backupRemoteCalls(),
  ...backupBrowseCalls(),
  ...casCalls(),
} as const;

/** The name of a call. */
export type CallName = keyof typeof CALLS;

/** Every call name, for transports that bind them one by one. */
export const CALL_NAMES = Object.keys(CALLS) as CallName[];

/** What a call takes (after validation). */
export type CallInput<N extends CallName> = z.output<(typeof CALLS)[N]['input']>;

/** What a caller passes (before defaults are applied). */
export type CallArgs<N extends CallName> = z.input<(typeof CALLS)[N]['input']>;

/** What a call returns. */
export type CallOutput<N extends CallName> = z.output<(typeof CALLS)[N]['output']>;

/** Whether `name` is a call of the contract. */
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CALLS, name);
}
