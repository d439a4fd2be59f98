import { useRef, useState, type DragEvent, type ReactNode } from 'react';

/** Files gathered from one drop, at most this many (a dropped home directory must not hang the view). */
const MAX_FILES = 10_000;

/** A directory entry of the File and Directory Entries API (what webkitGetAsEntry returns). */
interface Entry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: Entry[]) => void, fail: (e: unknown) => void): void };
}

/** A dropped file and its path inside the drop (`project/src/main.ts`; just the name for a loose file). */
export interface DroppedFile {
  file: File;
  path: string;
}

/** Walks a dropped folder recursively (readEntries returns batches until an empty one). */
async function collect(entry: Entry, out: DroppedFile[], parent: string): Promise<void> {
  if (out.length >= MAX_FILES) return;
  const here = parent ? `${parent}/${entry.name}` : entry.name;
  if (entry.isFile && entry.file) {
    out.push({ file: await new Promise<File>((ok, fail) => entry.file?.(ok, fail)), path: here });
  } else if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0 || out.length >= MAX_FILES) break;
      for (const e of batch) await collect(e, out, here);
    }
  }
}

/** The files of a drop: folders walked recursively where the browser exposes entries. */
async function droppedFiles(dt: DataTransfer): Promise<DroppedFile[]> {
  const entries = [...dt.items]
    .map((item) => (item.kind === 'file' && 'webkitGetAsEntry' in item ? (item.webkitGetAsEntry() as Entry | null) : null))
    .filter((e): e is Entry => e !== null);
  // Synthetic drops (and some platforms) carry files without entries: take dt.files as they are.
  if (entries.length === 0 || !entries.some((e) => e.isDirectory)) return [...dt.files].slice(0, MAX_FILES).map((file) => ({ file, path: file.name }));
  const out: DroppedFile[] = [];
  for (const e of entries) await collect(e, out, '');
  return out;
}

/** Makes its whole area a drop target for files and folders; shows an overlay while dragging over. */
export function CasDropZone({ onFiles, children }: { onFiles: (files: File[], paths: string[]) => void; children: ReactNode }): ReactNode {
  const [over, setOver] = useState(false);
  // dragenter/leave fire for every child crossed: count them so the overlay does not flicker.
  const depth = useRef(0);
  const hasFiles = (e: DragEvent): boolean => [...e.dataTransfer.types].includes('Files');
  return (
    <div
      className="cas-drop"
      data-testid="cas-drop-zone"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current += 1;
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        depth.current = 0;
        setOver(false);
        void droppedFiles(e.dataTransfer).then((found) => found.length > 0 && onFiles(found.map((d) => d.file), found.map((d) => d.path)));
      }}
    >
      {children}
      {over ? (
        <div className="cas-drop-overlay" aria-hidden="true">
          <div className="cas-drop-message">Drop files or folders to store them in the CAS</div>
        </div>
      ) : null}
    </div>
  );
}
