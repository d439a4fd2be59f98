import type { StateCreator } from 'zustand';
import type { CallArgs, CallOutput, ProbeResult, Settings, SettingsSaveResult, SettingsTestInput, StoreDriversInfo } from '../../src-preload/contract';
import { call } from '../shared/bridge';
import type { StudioState } from '../store';

/** The forms of the Settings view (each tests and saves on its own). */
export type SettingsForm = 's3' | 'turso' | 'postgres' | 'paths' | 'cas';

/** The Settings view's data: values with sources, the secret store, probe results, the CAS move job. */
export interface SettingsSlice {
  config: CallOutput<'config.show'> | null;
  loadConfig(): Promise<void>;
  settings: Settings | null;
  /** The last Test connection result of each form. */
  settingsProbe: Partial<Record<SettingsForm, ProbeResult>>;
  /** The last save of each form (to show "saved" and the env variables that still override). */
  settingsSaved: Partial<Record<SettingsForm, SettingsSaveResult>>;
  /** The running or last "Move CAS to S3" job. */
  settingsMoveJob: string | null;
  loadSettings(): Promise<void>;
  /** Saves a form's values and secrets; true when saved (errors land under `settings.save:<form>`). */
  saveSettings(form: SettingsForm, input: CallArgs<'settings.save'>): Promise<boolean>;
  testConnection(form: SettingsForm, input: SettingsTestInput): Promise<void>;
  /** Forgets a form's Test result (and any answer still on its way): its values changed. */
  forgetProbe(form: SettingsForm): void;
  moveCasToS3(): Promise<void>;
  deleteSecret(name: CallArgs<'secrets.delete'>['name']): Promise<void>;
  /** Every writable store's driver with its source (the "Store drivers" card). */
  storeDrivers: StoreDriversInfo | null;
  loadStoreDrivers(): Promise<void>;
  /** Saves a store's driver (null: back to db.driver); true when saved (errors under `settings.setStoreDriver:<store>`). */
  setStoreDriver(store: string, driver: CallArgs<'settings.setStoreDriver'>['driver']): Promise<boolean>;
}

/** The latest Test of each form: an edit or a newer Test makes an older answer stale. */
const probeAsked: Partial<Record<SettingsForm, number>> = {};

/** Creates the settings slice. */
export const createSettingsSlice: StateCreator<StudioState, [], [], SettingsSlice> = (set, get) => ({
  config: null,
  loadConfig: async () => {
    const config = await get().track('config', () => call('config.show', {}));
    if (config) set({ config });
  },
  settings: null,
  settingsProbe: {},
  settingsSaved: {},
  settingsMoveJob: null,
  loadSettings: async () => {
    const settings = await get().track('settings', () => call('settings.get', {}));
    if (settings) set({ settings });
  },
  saveSettings: async (form, input) => {
    const r = await get().track(`settings.save:${form}`, () => call('settings.save', input));
    if (!r) return false;
    set((s) => ({ settings: r.settings, settingsSaved: { ...s.settingsSaved, [form]: r } }));
    return true;
  },
  testConnection: async (form, input) => {
    const asked = (probeAsked[form] = (probeAsked[form] ?? 0) + 1);
    set((s) => ({ settingsProbe: { ...s.settingsProbe, [form]: undefined } }));
    const r = await get().track(`settings.test:${form}`, () => call('settings.test', input));
    // A result for values the user has since edited would vouch for values nobody tested.
    if (asked !== probeAsked[form]) return get().clearError(`settings.test:${form}`);
    if (r) set((s) => ({ settingsProbe: { ...s.settingsProbe, [form]: r } }));
  },
  forgetProbe: (form) => {
    probeAsked[form] = (probeAsked[form] ?? 0) + 1;
    get().clearError(`settings.test:${form}`);
    set((s) => ({ settingsProbe: { ...s.settingsProbe, [form]: undefined } }));
  },
  moveCasToS3: async () => {
    const r = await get().track('settings.moveCasToS3', () => call('settings.moveCasToS3', {}));
    if (r) set({ settingsMoveJob: r.jobId });
  },
  deleteSecret: async (name) => {
    const r = await get().track(`secrets.delete:${name}`, () => call('secrets.delete', { name }));
    if (r) await get().loadSettings();
  },
  storeDrivers: null,
  loadStoreDrivers: async () => {
    const drivers = await get().track('settings.storeDrivers', () => call('settings.storeDrivers', {}));
    if (drivers) set({ storeDrivers: drivers });
  },
  setStoreDriver: async (store, driver) => {
    const r = await get().track(`settings.setStoreDriver:${store}`, () => call('settings.setStoreDriver', { store, driver }));
    if (!r) return false;
    set({ storeDrivers: r.drivers });
    return true;
  },
});
