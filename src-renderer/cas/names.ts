// The names objects were put under, as the CAS keeps them: tags `name:<path>` (src-main/engine/cas/names.ts).

/** The tag prefix of a name. */
export const NAME_TAG = 'name:';

/** The names an object was put under (its `name:` tags), in tag order. */
export function casNames(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith(NAME_TAG) && t.length > NAME_TAG.length).map((t) => t.slice(NAME_TAG.length));
}
