// The Events table's sorts, without imports: the CLI line (cli.ts), which main's tests import, uses them too.

/** Sort orders of the table, as the URL spells them. */
export const EVENT_SORTS = ['-time', 'time', '-duration', 'duration'] as const;

/** One of EVENT_SORTS: "-" is descending (newest first, longest first). */
export type EventSort = (typeof EVENT_SORTS)[number];

/** The order and sort key an events.query takes for a sort of the table. */
export function sortQuery(sort: EventSort): { order: 'asc' | 'desc'; sort: 'time' | 'duration' } {
  return { order: sort.startsWith('-') ? 'desc' : 'asc', sort: sort.endsWith('duration') ? 'duration' : 'time' };
}
