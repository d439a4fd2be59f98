import { useEffect, useRef, type ReactNode } from 'react';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { PostgreSQL, SQLite, sql } from '@codemirror/lang-sql';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, placeholder as placeholderExt } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';
import { tablesIn, type CompletionSchema, type SqlDialectName } from './sql-schema';


/** What the editor calls back; read through a ref, so a new closure each render costs nothing. */
interface Handlers {
  onChange: (sql: string) => void;
  onRun: () => void;
  /** Alt+Up (-1: older) / Alt+Down (+1: newer) through the history; true when it moved. */
  onHistoryStep?: (dir: -1 | 1) => boolean;
}

/**
 * Columns of the tables the statement names, offered bare (`SELECT lab|` → label) the way a
 * database tool does; lang-sql itself completes table names and `table.column`.
 */
function columnsOfNamedTables(schema: () => CompletionSchema) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const word = ctx.matchBefore(/[\w$]+/);
    if (!word && !ctx.explicit) return null;
    const from = word ? word.from : ctx.pos;
    // After a dot lang-sql completes that table's columns itself.
    if (ctx.state.sliceDoc(from - 1, from) === '.') return null;
    const s = schema();
    const options = tablesIn(ctx.state.doc.toString(), s).flatMap((t) => s[t]!.map((c) => ({ label: c, type: 'property', detail: t })));
    return options.length ? { from, options, validFor: /^[\w$]*$/ } : null;
  };
}

/** The look of the editor, from the app's tokens: it follows the light and dark themes on its own. */
const theme = EditorView.theme({
  '&': {
    backgroundColor: 'var(--surface)',
    color: 'var(--text)',
    border: '1px solid var(--border-strong)',
    borderRadius: '8px',
    fontSize: '13px',
  },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55', maxHeight: '320px', overflow: 'auto' },
  // On the content and the gutter (not the scroller), so the gutter runs the editor's full height.
  '.cm-content, .cm-gutter': { minHeight: '112px' },
  '.cm-content': { caretColor: 'var(--text)', padding: '6px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--surface-2)', color: 'var(--text-3)', borderRight: '1px solid var(--border)', borderRadius: '8px 0 0 8px' },
  '.cm-placeholder': { color: 'var(--text-3)' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--accent-soft)', outline: '1px solid var(--border-strong)' },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: 'var(--bad-soft)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border-strong)', borderRadius: '6px', boxShadow: 'var(--shadow)' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--mono)', maxHeight: '14em' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li': { padding: '2px 8px' },
  '.cm-tooltip.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent-soft)', color: 'var(--text)' },
  '.cm-completionDetail': { color: 'var(--text-3)', fontStyle: 'normal', marginLeft: '1em' },
  '.cm-completionMatchedText': { textDecoration: 'none', fontWeight: '700', color: 'var(--accent-strong)' },
  '.cm-completionIcon': { color: 'var(--text-3)' },
  // Syntax colors for the classHighlighter's tok-* classes (stable names a test can look for).
  '.tok-keyword': { color: 'var(--accent-strong)', fontWeight: '600' },
  // A "quoted identifier" is lang-sql's special(string), tok-string2: a name, so it keeps the text color.
  '.tok-string': { color: 'var(--good)' },
  '.tok-number, .tok-bool, .tok-atom': { color: 'var(--focus)' },
  '.tok-comment': { color: 'var(--text-3)', fontStyle: 'italic' },
  '.tok-typeName, .tok-variableName2, .tok-special': { color: 'var(--warn)' },
  '.tok-operator, .tok-punctuation': { color: 'var(--text-2)' },
  '.tok-invalid': { color: 'var(--bad)' },
});

/** The SQL language of a dialect, completing the store's tables, their columns and the dialect's keywords. */
function language(dialect: SqlDialectName, schema: () => CompletionSchema): Extension {
  const lang = sql({ dialect: dialect === 'postgres' ? PostgreSQL : SQLite, schema: schema(), upperCaseKeywords: true });
  return [lang, lang.language.data.of({ autocomplete: columnsOfNamedTables(schema) })];
}

/**
 * A CodeMirror 6 editor for one SQL statement, created once and destroyed on unmount. `value`
 * is controlled: the document is replaced only when it differs from what was typed, so typing
 * never moves the cursor. Ctrl/Cmd+Enter runs; Tab is left to the browser (no indentWithTab),
 * so the editor is never a keyboard trap. The content element carries the aria-label and the
 * test id, and is what Playwright's fill() fills (its locators reach into the open shadow root).
 */
export function SqlEditor(props: {
  value: string;
  dialect: SqlDialectName;
  schema: CompletionSchema;
  ariaLabel: string;
  testId?: string;
  placeholder?: string;
  onChange: (sql: string) => void;
  onRun: () => void;
  onHistoryStep?: (dir: -1 | 1) => boolean;
  /** Receives the view once created (focus it after a history pick), null on unmount. */
  viewRef?: (view: EditorView | null) => void;
}): ReactNode {
  const { value, dialect, schema, ariaLabel, testId, placeholder, viewRef } = props;
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const handlers = useRef<Handlers>(props);
  handlers.current = props;
  const schemaRef = useRef(schema);
  schemaRef.current = schema;
  const lang = useRef(new Compartment());

  useEffect(() => {
    // CodeMirror injects its styles at run time. In a document it would add a <style> element,
    // which the app's CSP (style-src 'self', no 'unsafe-inline') blocks; in a shadow root it uses
    // a constructed style sheet, which the CSP allows. So the editor lives in one (the app's
    // tokens are custom properties: they inherit into it, and both themes follow).
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const mount = document.createElement('div');
    shadow.appendChild(mount);
    const run = (): boolean => {
      handlers.current.onRun();
      return true;
    };
    const step = (dir: -1 | 1) => (): boolean => handlers.current.onHistoryStep?.(dir) ?? false;
    const v = new EditorView({
      root: shadow,
      parent: mount,
      state: EditorState.create({
        doc: value,
        extensions: [
          Prec.highest(
            keymap.of([
              { key: 'Mod-Enter', run, preventDefault: true },
              { key: 'Alt-ArrowUp', run: step(-1) },
              { key: 'Alt-ArrowDown', run: step(1) },
            ]),
          ),
          lineNumbers(),
          history(),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ icons: false }),
          syntaxHighlighting(classHighlighter),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
          lang.current.of(language(dialect, () => schemaRef.current)),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': ariaLabel, ...(testId ? { 'data-testid': testId } : {}), spellcheck: 'false' }),
          placeholder ? placeholderExt(placeholder) : [],
          EditorView.updateListener.of((u) => {
            if (u.docChanged) handlers.current.onChange(u.state.doc.toString());
          }),
          theme,
        ],
      }),
    });
    view.current = v;
    viewRef?.(v);
    return () => {
      viewRef?.(null);
      v.destroy();
      mount.remove();
      view.current = null;
    };
    // Created once: later values, dialects and schemas are dispatched by the effects below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v || v.state.doc.toString() === value) return;
    // Replaced from outside (a history pick): the cursor goes to the end of the new statement.
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value }, selection: { anchor: value.length } });
  }, [value]);

  useEffect(() => {
    // The tables and columns arrive after the editor: lang-sql takes its schema at configuration.
    view.current?.dispatch({ effects: lang.current.reconfigure(language(dialect, () => schemaRef.current)) });
  }, [dialect, schema]);

  return <div ref={host} className="store-sql-editor" data-dialect={dialect} />;
}

/** The editor as the default export, for React.lazy: CodeMirror loads when a console first opens. */
export default SqlEditor;
