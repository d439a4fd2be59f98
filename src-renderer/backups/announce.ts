import { useEffect, useRef, useState } from 'react';
import type { Job } from '../../src-preload/contract';
import { isFinal } from '../jobs/jobs-slice';
import type { BackupActionRef } from './backups-slice';

const WHAT: Record<BackupActionRef['kind'], string> = {
  create: 'Backup',
  verify: 'Verify',
  verifyAll: 'Verify of every backup',
  rehearse: 'Test restore',
  restore: 'Restore',
  schedule: 'Nightly backup',
  push: 'Push',
  pull: 'Pull',
};

/** The sentence a screen reader hears when an action's job ends. */
export function endSentence(a: BackupActionRef, job: Job): string {
  const r = (job.result ?? {}) as { name?: string; ok?: boolean; verified?: number; failed?: string[]; status?: string; replaced?: number; created?: number; safety_backup?: { name: string } | null; transferred?: boolean };
  const name = r.name ?? a.name;
  const of = name ? ` of ${name}` : '';
  if (job.state === 'canceled') return `${WHAT[a.kind]}${of} canceled.`;
  if (job.state !== 'ok') return `${WHAT[a.kind]}${of} failed: ${job.error?.message ?? 'unknown error'}`;
  switch (a.kind) {
    case 'create':
    case 'schedule':
      return r.status === 'completed_with_problems' ? `Backup ${name} completed with problems.` : `Backup ${name} created.`;
    case 'verify':
      return r.ok ? `Verify of ${name}: verified, every file matches.` : `Verify of ${name}: damaged.`;
    case 'verifyAll':
      return r.ok ? `Verify of every backup: all ${r.verified ?? 0} verified.` : `Verify of every backup: ${r.failed?.length ?? 0} damaged (${(r.failed ?? []).join(', ')}).`;
    case 'rehearse':
      return r.ok ? `Test restore of ${name} passed.` : `Test restore of ${name} failed.`;
    case 'restore':
      return `Restore of ${name} done: ${r.created ?? 0} created, ${r.replaced ?? 0} replaced${r.safety_backup ? `; safety backup ${r.safety_backup.name}` : ''}.`;
    case 'push':
    case 'pull':
      return `${WHAT[a.kind]} of ${name} done.`;
  }
}

/**
 * The Backups view's live-region text: "… started" when an action is started, its end sentence
 * when its job ends. Actions that had already ended before the view mounted are not read again.
 */
export function useAnnouncement(actions: BackupActionRef[], jobs: Record<string, Job>): string {
  const [message, setMessage] = useState('');
  const seen = useRef<Map<string, 'started' | 'ended'> | null>(null);
  useEffect(() => {
    const first = seen.current === null;
    seen.current ??= new Map();
    const known = seen.current;
    for (const a of actions) {
      const job = jobs[a.jobId];
      const ended = job !== undefined && isFinal(job.state);
      const was = known.get(a.jobId);
      if (ended && was !== 'ended') {
        known.set(a.jobId, 'ended');
        if (!first) setMessage(endSentence(a, job));
      } else if (!ended && was === undefined) {
        known.set(a.jobId, 'started');
        if (!first) setMessage(`${WHAT[a.kind]}${a.name ? ` of ${a.name}` : ''} started.`);
      }
    }
  }, [actions, jobs]);
  return message;
}
