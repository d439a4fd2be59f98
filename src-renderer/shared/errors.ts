import type { ErrorCode } from '../../src-preload/contract';

/** What each error code means to a user: a title, and what to do about it. */
export const ERROR_TEXT: Record<ErrorCode, { title: string; hint: string }> = {
  NOT_FOUND: { title: 'Not found', hint: 'It may have been deleted or moved. Refresh and try again.' },
  INVALID_INPUT: { title: 'Invalid input', hint: 'Check the value named in the message.' },
  CORRUPT: { title: 'Data is damaged', hint: 'Run a verify, and restore from a backup if it fails.' },
  CONFLICT: { title: 'Conflict', hint: 'Something else changed it at the same time. Refresh and try again.' },
  PINNED: { title: 'Pinned', hint: 'Unpin the object first.' },
  UNAVAILABLE: { title: 'Unavailable', hint: 'The store or server is busy or unreachable. Try again shortly.' },
  UNSUPPORTED: { title: 'Not supported', hint: 'This backend or build cannot do that.' },
  CANCELED: { title: 'Canceled', hint: 'Nothing was left half-written.' },
  IO: { title: 'Disk or I/O error', hint: 'Check free space and permissions of the path in the message.' },
};
