/**
 * Keys of the Go foxctl's config.yaml (joshka0/foxctl internal/config/config.go, its Config
 * struct and applyDefaults) that Storage Studio does not use. One home shares one config.yaml,
 * so these are never reported as unknown.
 */
export const GO_KEYS: readonly string[] = [
  'home',
  'max_capture_kb',
  'paths.skills',
  'cas.expose',
  'memory.auto_cache_ttl',
  'memory.default_named_ttl',
  'memory.auto_load_workspace',
  'cache.default_mode',
  'logging.level',
  'logging.format',
  'logging.output',
];

/**
 * Sections of the Go config whose keys are many, per provider, or open-ended (maps such as
 * `embedding.models`, lists such as `indexing.post_review.indexers`, `database.*` which newer Go
 * builds extend): any key under them belongs to the Go foxctl.
 */
export const GO_SECTIONS: readonly string[] = ['database', 'embedding', 'search', 'indexing', 'openapi', 'llm', 'discord', 'telegram', 'teams', 'oauth', 'curator'];

/** Whether a dotted key is one of the Go foxctl's. */
export function isGoKey(key: string): boolean {
  return GO_KEYS.includes(key) || GO_SECTIONS.some((s) => key === s || key.startsWith(`${s}.`));
}
