import { javascript } from "@codemirror/lang-javascript";
import { basicSetup, EditorView } from "codemirror";

/** The program editor: CodeMirror 6 with JavaScript highlighting; Ctrl/Cmd-Enter runs. */
export interface Editor {
  readonly text: string;
  setText(text: string): void;
}

/**
 * Mounts the editor in `parent`. `onRun` is called on Ctrl-Enter / Cmd-Enter.
 *
 * ```ts
 * const editor = createEditor(document.querySelector("#editor")!, EXAMPLES[0].source, run);
 * ```
 */
export function createEditor(parent: HTMLElement, text: string, onRun: () => void): Editor {
  const runKey = EditorView.domEventHandlers({
    keydown(event) {
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return false;
      event.preventDefault();
      onRun();
      return true;
    },
  });
  // runKey comes first: extensions of equal precedence see keys in order, and basicSetup's
  // keymap would otherwise take Mod-Enter (insertBlankLine) before it.
  const view = new EditorView({ doc: text, extensions: [runKey, basicSetup, javascript()], parent });
  return {
    get text() {
      return view.state.doc.toString();
    },
    setText(next: string) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
  };
}
