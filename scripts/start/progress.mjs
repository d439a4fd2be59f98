// One progress line for a download: redrawn in place on a terminal, a line per 10% elsewhere
// (a CI log or a pipe), so a slow fetch never looks like a hang.

/** A progress reporter for one download of `what`, writing to stderr. */
export function progressLine(what, out = process.stderr) {
  const tty = Boolean(out.isTTY);
  let lastTenth = -1;
  let lastDraw = 0;
  const mb = (n) => (n / 1e6).toFixed(1);
  return {
    /** Called with bytes received and the total when the server sent one. */
    update(transferred, total) {
      const pct = total ? Math.floor((transferred / total) * 100) : null;
      const text = `npm start: fetching ${what}: ${mb(transferred)}${total ? ` / ${mb(total)} MB (${pct}%)` : ' MB'}`;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 200 && transferred !== total) return;
        lastDraw = now;
        out.write(`\r${text}\x1b[K`);
        return;
      }
      const tenth = pct === null ? Math.floor(transferred / 10e6) : Math.floor(pct / 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        out.write(`${text}\n`);
      }
    },
    /** Ends the line (a terminal keeps the last redraw). */
    done() {
      if (tty) out.write('\n');
    },
  };
}
